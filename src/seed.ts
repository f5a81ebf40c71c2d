import type { Db } from './platform/db/database.js';
import { createProgress } from './platform/progress.js';

/**
 * Demo data, one step per module, each idempotent (it checks before it inserts), so `backroom
 * seed` can run on every start of an empty embedded database and again by hand without duplicates.
 * Modules add their step here as they arrive (demo staff owner, catalog, stock, regions).
 */
export interface SeedStep {
  name: string;
  run(db: Db): Promise<void>;
}

export const seedSteps: SeedStep[] = [];

export async function seed(db: Db, steps: SeedStep[] = seedSteps): Promise<string[]> {
  if (steps.length === 0) return [];
  const progress = createProgress('seeding', steps.length);
  const done: string[] = [];
  for (const step of steps) {
    await step.run(db);
    done.push(step.name);
    progress.tick();
  }
  progress.done();
  return done;
}
