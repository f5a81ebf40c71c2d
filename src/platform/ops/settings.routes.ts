import type { Static } from 'typebox';
import { Type } from 'typebox';
import type { App } from '../http/types.js';

const SettingView = Type.Object({
  name: Type.String(),
  description: Type.String(),
  secret: Type.Boolean({ description: 'Secret: `value` is always null, `set` says whether it has one.' }),
  set: Type.Boolean(),
  source: Type.Union([Type.Literal('env'), Type.Literal('default'), Type.Literal('unset')], {
    description: '`default`: the value is the built-in default (unset, or set to the same value).',
  }),
  value: Type.Union([Type.String(), Type.Null()], { description: 'The value as text; null for secrets and unset.' }),
});

export type SettingView = Static<typeof SettingView>;

/**
 * `GET /v1/admin/system/settings`. The platform does not read the configuration (dependency rules): the app hands
 * in `describe`, which lists the settings with their sources and hides secrets (src/config-view.ts).
 */
export async function settingsRoutes(app: App, deps: { describe: () => SettingView[]; version: string }) {
  app.get(
    '/v1/admin/system/settings',
    {
      config: { auth: { permission: 'settings:manage' } },
      schema: {
        tags: ['operations'],
        summary: 'The settings read from environment variables, read-only: secrets only as set/unset',
        response: { 200: Type.Object({ version: Type.String(), data: Type.Array(SettingView) }) },
      },
    },
    async () => ({ version: deps.version, data: deps.describe() }),
  );
}
