import type { TransactionSettings } from 'kysely';

/** The statement that opens a transaction with Kysely's settings (both dialects use it). */
export function beginStatement(settings: TransactionSettings): string {
  const iso = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
  const mode = settings.accessMode ? ` ${settings.accessMode}` : '';
  return iso || mode ? `start transaction${iso}${mode}` : 'begin';
}
