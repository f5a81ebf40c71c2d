/** The local fake PayPal (tests and offline demos only). */
export { CERT_PATH, FAKE_PAYPAL_CERT_PEM, type FakePayPalEvent } from './events.js';
export { type FakePayPal, type FakePayPalOptions, startFakePayPal } from './server.js';
