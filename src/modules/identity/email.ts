/** Emails are compared trimmed and lower-cased, for customers and staff alike. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();
