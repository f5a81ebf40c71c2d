import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Folders this process holds. Our own pid in a pid file is only ours if we took it this run. */
const held = new Set<string>();

export class DataDirLockedError extends Error {
  constructor(
    dir: string,
    /** The pid that holds the folder (0 if it could not be read). */
    readonly owner: number,
    /** Why the holder could not be reached instead, when that was tried. */
    unreachable?: string,
  ) {
    super(
      `the embedded database in ${dir} is in use by ${owner === process.pid ? 'this process' : `process ${owner}`}${unreachable ? `, ${unreachable}` : ''}; stop it, or set DATABASE_URL to share a PostgreSQL server`,
    );
    this.name = 'DataDirLockedError';
  }
}

/**
 * The embedded database is a folder only one PGlite instance may open; a second `npm start` (or a
 * second `createDb` in the same process) on the same folder would corrupt it. A pid file taken with
 * O_EXCL guards it. A file left by a dead process is taken over, and so is one holding our own pid
 * that we did not write this run (a container restarts with the same pid as its last life).
 */
export function lockDataDir(dir: string): () => void {
  const file = join(dir, 'backroom.pid');
  if (held.has(dir)) throw new DataDirLockedError(dir, process.pid);
  const take = () => writeFileSync(file, String(process.pid), { flag: 'wx' });
  try {
    take();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const owner = Number(readFileSync(file, 'utf8'));
    if (owner && owner !== process.pid && isAlive(owner)) throw new DataDirLockedError(dir, owner);
    rmSync(file, { force: true });
    try {
      take();
    } catch (again) {
      // Another process took over the stale file between our remove and our write.
      if ((again as NodeJS.ErrnoException).code !== 'EEXIST') throw again;
      throw new DataDirLockedError(dir, Number(readFileSync(file, 'utf8')) || 0);
    }
  }
  held.add(dir);
  return () => {
    if (!held.delete(dir)) return;
    rmSync(file, { force: true });
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
