// Generated from Backroom's OpenAPI document by `npm run gen:client` (tools/gen-client.ts).

/** Mutations that take no Idempotency-Key (`x-idempotent: false`): never repeated after a lost answer. */
export const notIdempotent: ReadonlySet<string> = new Set([
  'DELETE /v1/admin/staff/me/mfa',
  'POST /v1/admin/api-keys',
  'POST /v1/admin/auth/password-reset',
  'POST /v1/admin/auth/password-reset/confirm',
  'POST /v1/admin/auth/sessions',
  'POST /v1/admin/staff/invites/accept',
  'POST /v1/admin/staff/me/mfa',
  'POST /v1/admin/staff/me/mfa/confirm',
  'POST /v1/admin/staff/me/mfa/recovery-codes',
  'POST /v1/admin/webhook-endpoints',
  'POST /v1/admin/webhook-endpoints/{id}/rotate-secret',
  'POST /v1/store/auth/password-reset',
  'POST /v1/store/auth/password-reset/confirm',
  'POST /v1/store/auth/sessions',
  'POST /v1/store/orders/lookup',
]);
