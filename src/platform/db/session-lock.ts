/**
 * PGlite is one database session. Everything that talks to it — this process's Kysely driver and
 * the clients of the local socket — takes turns through one lock, held from the first statement of
 * a turn to its last (a whole transaction), so no one's statement ever lands inside another's
 * transaction. PGlite's own mutexes only keep single statements apart. First come, first served.
 */
export class SessionLock {
  #tail: Promise<void> = Promise.resolve();

  /** Resolves with the function that ends this turn (call it exactly once). */
  acquire(): Promise<() => void> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((r) => {
      release = r;
    });
    return previous.then(() => release);
  }
}
