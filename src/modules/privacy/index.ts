/**
 * privacy — the access and erasure requests about a customer. It owns no table: it runs each module's own export or
 * erase function (identity, checkout, orders, payments, the platform's emails) inside one transaction. No module
 * imports it; the app registers its routes.
 */

export { privacyRoutes } from './privacy.routes.js';
export {
  type ErasureResult,
  EXPORT_FORMAT,
  eraseCustomerData,
  exportCustomerData,
} from './privacy.service.js';
