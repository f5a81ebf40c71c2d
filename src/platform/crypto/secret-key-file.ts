import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../logger.js';
import { createSecretBox, parseSecretKey, type SecretBox } from './secret-box.js';

/**
 * The secret box for this process: `BACKROOM_SECRET_KEY` when set, else a key file
 * `<dataDir>/secret.key` created once (mode 0600, 32 random bytes as hex). With a shared database
 * every node must use the same key, so the fallback logs a warning when `DATABASE_URL` is set.
 */
export function loadSecretBox(
  opts: { secretKey?: string | undefined; dataDir: string; databaseUrl?: string | undefined },
  logger: Logger,
): SecretBox {
  if (opts.secretKey) return createSecretBox(parseSecretKey(opts.secretKey));
  const file = join(opts.dataDir, 'secret.key');
  mkdirSync(opts.dataDir, { recursive: true });
  try {
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
    logger.info({ file }, 'created a new secret key file');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (opts.databaseUrl) {
    logger.warn(
      { file },
      'BACKROOM_SECRET_KEY is unset: using a key file; every node sharing DATABASE_URL must use the same key',
    );
  }
  return createSecretBox(parseSecretKey(readFileSync(file, 'utf8')));
}
