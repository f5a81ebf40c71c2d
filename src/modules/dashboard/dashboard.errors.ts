import { AppError } from '../../platform/errors.js';

/** The stream was asked for without `Accept: text/event-stream`. */
export class NotAcceptableError extends AppError {
  constructor() {
    super(406, 'NOT_ACCEPTABLE', 'Not acceptable', { detail: 'Send `Accept: text/event-stream` to open the stream.' });
  }
}
