import { createStaff, staffExists } from './modules/identity/index.js';
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

/** The demo owner login (documented in README); the password can be set with BACKROOM_DEMO_PASSWORD. */
export const demoOwner = {
  email: 'owner@demo.backroom.dev',
  password: () => process.env.BACKROOM_DEMO_PASSWORD || 'backroom-demo-owner',
};

export const seedSteps: SeedStep[] = [
  {
    name: 'demo owner',
    async run(db) {
      if (await staffExists(db)) return;
      await createStaff(db, {
        email: demoOwner.email,
        password: demoOwner.password(),
        name: 'Demo owner',
        roleId: 'role_owner',
      });
    },
  },
];

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
