import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger };

/**
 * Paths pino replaces with "[redacted]". Header names are lower-case in Node; body fields are
 * matched at any depth we log them (we never log request bodies by default, but errors may carry
 * the input that caused them).
 */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.token',
  '*.secret',
  '*.apiKey',
  '*.accessToken',
  '*.refreshToken',
  '*.clientSecret',
  'password',
  'token',
  'secret',
  'config.DATABASE_URL',
  'config.REDIS_URL',
];

export interface LoggerSettings {
  level: string;
  format: 'auto' | 'json' | 'pretty';
}

export function loggerOptions(s: LoggerSettings): LoggerOptions {
  const pretty = s.format === 'pretty' || (s.format === 'auto' && process.stdout.isTTY === true);
  return {
    level: s.level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    base: { pid: process.pid },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } }
      : {}),
  };
}

export function createLogger(s: LoggerSettings): Logger {
  return pino(loggerOptions(s));
}

/** Strips the password from a connection URL so it can be logged or shown. */
export function safeUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '[invalid url]';
  }
}
