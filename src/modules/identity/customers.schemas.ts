import { type Static, Type } from 'typebox';

/**
 * Request and response shapes of the customer routes. Email format is checked with a pattern
 * (ajv's `format: 'email'` needs ajv-formats): one `@`, no spaces, a dot in the domain.
 */
export const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^\\s*[^\\s@]+@[^\\s@]+\\.[^\\s@]+\\s*$' });
/** Policy (length, common passwords) is checked by `assertPasswordPolicy`; this only caps the body. */
const Password = Type.String({ maxLength: 1024 });
const Name = Type.String({ maxLength: 100 });
// Null first: with type coercion on, `null` would otherwise be coerced to "" by the string branch.
const NullableName = Type.Union([Type.Null(), Name]);

export const RegisterBody = Type.Object(
  { email: Email, password: Password, firstName: Type.Optional(Name), lastName: Type.Optional(Name) },
  { additionalProperties: false },
);
export type RegisterInput = Static<typeof RegisterBody>;

export const LoginBody = Type.Object({ email: Email, password: Password }, { additionalProperties: false });
export type LoginInput = Static<typeof LoginBody>;

export const UpdateMeBody = Type.Object(
  { firstName: Type.Optional(NullableName), lastName: Type.Optional(NullableName) },
  { additionalProperties: false },
);
export type UpdateMeInput = Static<typeof UpdateMeBody>;

export const ChangePasswordBody = Type.Object(
  { currentPassword: Password, newPassword: Password },
  { additionalProperties: false },
);
export type ChangePasswordInput = Static<typeof ChangePasswordBody>;

export const CustomerSchema = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    firstName: NullableName,
    lastName: NullableName,
    emailVerified: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type CustomerView = Static<typeof CustomerSchema>;

export const SessionSchema = Type.Object(
  {
    token: Type.String({ description: 'Send as `Authorization: Bearer <token>`. Shown once.' }),
    expiresAt: Type.String({ format: 'date-time', description: 'Slides forward while the session is used.' }),
  },
  { additionalProperties: false },
);

export const NoContent = Type.Null({ description: 'No content' });

const Token = Type.String({ minLength: 1, maxLength: 200 });

export const VerifyEmailBody = Type.Object({ token: Token }, { additionalProperties: false });

export const PasswordResetRequestBody = Type.Object({ email: Email }, { additionalProperties: false });

export const PasswordResetAccepted = Type.Object(
  { status: Type.Literal('accepted') },
  { additionalProperties: false, description: 'The same answer whether or not the email has an account.' },
);

export const PasswordResetConfirmBody = Type.Object(
  { token: Token, password: Password },
  { additionalProperties: false },
);
