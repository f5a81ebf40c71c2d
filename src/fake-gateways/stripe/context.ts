import type { EventCause, EventLog } from './events.js';
import type { FormObject } from './form.js';
import type { StripeState } from './state.js';

/** What each endpoint handler gets: the store, the event log, the parsed parameters and who is calling. */
export interface FakeContext {
  state: StripeState;
  log: EventLog;
  /** Body parameters for POST, query parameters for GET (both bracket-notation forms). */
  form: FormObject;
  cause: EventCause;
  /**
   * `publishable`: a browser (Stripe.js) call, allowed only on the endpoints that take the intent's `client_secret`.
   * `none`: the fake's own control endpoints.
   */
  auth: 'secret' | 'publishable' | 'none';
}
