import type { FastifyRequest } from 'fastify';
import type { Db } from '../../platform/db/database.js';
import type { App } from '../../platform/http/types.js';
import { auditContext } from './audit.js';
import {
  confirmPasswordReset,
  type MailSettings,
  requestPasswordReset,
  resendVerificationEmail,
  verifyEmail,
} from './customers.account.service.js';
import { customerAddressRoutes } from './customers.addresses.routes.js';
import {
  ChangePasswordBody,
  CustomerSchema,
  LoginBody,
  NoContent,
  PasswordResetAccepted,
  PasswordResetConfirmBody,
  PasswordResetRequestBody,
  RegisterBody,
  SessionSchema,
  UpdateMeBody,
  VerifyEmailBody,
} from './customers.schemas.js';
import {
  changeCustomerPassword,
  getCustomer,
  loginCustomer,
  logoutCurrent,
  logoutEverywhere,
  registerCustomer,
  updateCustomer,
} from './customers.service.js';
import { UnauthenticatedError } from './identity.errors.js';

export interface CustomerRouteDeps {
  db: Db;
  /** Where verification and reset emails link to and which templates they use (read from the config by the app). */
  mail: MailSettings;
}

const tags = ['customers'];

/** The signed-in customer; the route's `auth: 'customer'` guarantees it, this narrows the type. */
function signedIn(request: FastifyRequest): { id: string; sessionId: string } {
  const p = request.principal;
  if (p.type !== 'customer') throw new UnauthenticatedError();
  return { id: p.id, sessionId: p.sessionId };
}

const client = (request: FastifyRequest) => ({ ip: request.ip, userAgent: request.headers['user-agent'] ?? null });

/** Storefront customer accounts and sessions (`/v1/store/customers`, `/v1/store/auth/sessions`). */
export async function customerRoutes(app: App, deps: CustomerRouteDeps) {
  const { db, mail } = deps;

  app.post(
    '/v1/store/customers',
    {
      config: { auth: 'public' },
      schema: { tags, summary: 'Register a customer', body: RegisterBody, response: { 201: CustomerSchema } },
    },
    async (request, reply) => {
      const customer = await registerCustomer(db, request.body, auditContext(request.principal, request), mail);
      reply.header('location', '/v1/store/customers/me');
      return reply.code(201).send(customer);
    },
  );

  app.post(
    '/v1/store/auth/sessions',
    {
      // The response is a secret: never stored for idempotent replay.
      config: { auth: 'public', idempotency: false },
      schema: {
        tags,
        summary: 'Customer login',
        description:
          'Unknown email and wrong password both answer 401 `INVALID_CREDENTIALS`. After repeated failures ' +
          'for one email or one client IP, 429 `TOO_MANY_LOGIN_ATTEMPTS` with `Retry-After`.',
        body: LoginBody,
        response: { 201: SessionSchema },
      },
    },
    async (request, reply) => {
      const session = await loginCustomer(db, request.body, client(request));
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ token: session.token, expiresAt: session.expiresAt.toISOString() });
    },
  );

  app.delete(
    '/v1/store/auth/sessions/current',
    {
      config: { auth: 'customer' },
      schema: { tags, summary: 'Log out: end the session this request uses', response: { 204: NoContent } },
    },
    async (request, reply) => {
      await logoutCurrent(db, signedIn(request).sessionId);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/v1/store/auth/sessions',
    {
      config: { auth: 'customer' },
      schema: { tags, summary: "End all of the customer's sessions, on every device", response: { 204: NoContent } },
    },
    async (request, reply) => {
      const me = signedIn(request);
      await logoutEverywhere(db, me.id, auditContext(request.principal, request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/store/customers/me',
    {
      config: { auth: 'customer' },
      schema: { tags, summary: 'The signed-in customer', response: { 200: CustomerSchema } },
    },
    async (request) => getCustomer(db, signedIn(request).id),
  );

  app.patch(
    '/v1/store/customers/me',
    {
      config: { auth: 'customer' },
      schema: {
        tags,
        summary: "Update the signed-in customer's profile",
        body: UpdateMeBody,
        response: { 200: CustomerSchema },
      },
    },
    async (request) => updateCustomer(db, signedIn(request).id, request.body),
  );

  app.post(
    '/v1/store/customers/me/password',
    {
      config: { auth: 'customer' },
      schema: {
        tags,
        summary: 'Change password',
        description:
          'Ends every other session of the customer; this one stays. A wrong current password answers ' +
          '422 `CURRENT_PASSWORD_INCORRECT` (not 401: the session itself is valid).',
        body: ChangePasswordBody,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      const me = signedIn(request);
      await changeCustomerPassword(db, me, request.body, auditContext(request.principal, request), client(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/store/customers/me/verification-email',
    {
      config: { auth: 'customer' },
      schema: {
        tags,
        summary: 'Send the email-verification email again',
        description: 'Queues a new link (valid 24 hours). Already verified → 204, nothing sent.',
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await resendVerificationEmail(db, signedIn(request).id, mail);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/store/auth/email-verification',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: "Confirm a customer's email with the token from the verification email",
        description: 'An unknown, used or expired token answers 400 `INVALID_TOKEN`.',
        body: VerifyEmailBody,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await verifyEmail(db, request.body.token, auditContext(request.principal, request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/store/auth/password-reset',
    {
      config: { auth: 'public', idempotency: false },
      schema: {
        tags,
        summary: 'Request a password-reset email',
        description:
          'Always 202 with the same body, whether or not an account has this email; only an existing ' +
          'customer is sent a link (valid 30 minutes).',
        body: PasswordResetRequestBody,
        response: { 202: PasswordResetAccepted },
      },
    },
    async (request, reply) => {
      await requestPasswordReset(db, request.body.email, mail);
      return reply.code(202).send({ status: 'accepted' as const });
    },
  );

  app.post(
    '/v1/store/auth/password-reset/confirm',
    {
      config: { auth: 'public', idempotency: false },
      schema: {
        tags,
        summary: 'Set a new password with the token from the reset email',
        description:
          'The token works once. Ends every session of the customer. An unknown, used or expired token ' +
          'answers 400 `INVALID_TOKEN` and changes nothing.',
        body: PasswordResetConfirmBody,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await confirmPasswordReset(db, request.body, auditContext(request.principal, request));
      return reply.code(204).send(null);
    },
  );

  await customerAddressRoutes(app, { db });
}
