export type { RecordedEvent } from './events.js';
export { type FakeStripe, type FakeStripeOptions, startFakeStripe } from './server.js';
export type { FakeCharge, FakeDispute, FakePaymentIntent, FakeRefund } from './state.js';
