import { hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';
import { ValidationError } from '../../platform/errors.js';

/**
 * Passwords: argon2id with OWASP's parameters (m=19 MiB, t=2, p=1), length 8–128, and none of the
 * ~49,000 most common passwords shipped with zxcvbn-ts. Hashing is CPU- and memory-heavy on
 * purpose, so it runs through a small semaphore: a login flood queues here instead of starving
 * the event loop's thread pool for everything else.
 */
// `Algorithm` is a const enum in the package's types; 2 is Argon2id.
const ARGON2ID = 2;
export const passwordParams = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_LENGTH = 8;
export const MAX_LENGTH = 128;

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));
  return common;
}

/** Throws a 400 naming `path` when the password breaks the policy. */
export function assertPasswordPolicy(password: string, path = '/body/password'): void {
  const length = [...password].length;
  let message: string | undefined;
  if (length < MIN_LENGTH) message = `must be at least ${MIN_LENGTH} characters`;
  else if (length > MAX_LENGTH) message = `must be at most ${MAX_LENGTH} characters`;
  else if (commonPasswords().has(password.toLowerCase()))
    message = 'is one of the most common passwords; choose another';
  if (message) throw new ValidationError([{ path, message }], `Password ${message}.`);
}

class Semaphore {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  constructor(slots: number) {
    this.#free = slots;
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}

/** Two hashes at a time: the machine class we target has 2 cores, and Node's pool has 4 threads. */
const hashing = new Semaphore(2);

export function hashPassword(password: string): Promise<string> {
  return hashing.run(() => hash(password, passwordParams));
}

/** A real hash of a random value, so a login for an unknown email costs what a real one does. */
let dummy: Promise<string> | undefined;

export interface VerifyResult {
  ok: boolean;
  /** The stored hash uses other parameters: store a fresh hash now that we know the password. */
  needsRehash: boolean;
}

/** Verifies `password` against `stored`; with `stored` undefined it still spends the same time. */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<VerifyResult> {
  if (!stored) {
    dummy ??= hashPassword(`dummy-${Math.random()}`);
    const target = await dummy;
    await hashing.run(() => verify(target, password).catch(() => false));
    return { ok: false, needsRehash: false };
  }
  const ok = await hashing.run(() => verify(stored, password).catch(() => false));
  const expected = `$argon2id$v=19$m=${passwordParams.memoryCost},t=${passwordParams.timeCost},p=${passwordParams.parallelism}$`;
  return { ok, needsRehash: ok && !stored.startsWith(expected) };
}
