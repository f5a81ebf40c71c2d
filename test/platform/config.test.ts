import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, settings } from '../../src/config.js';

/** loadConfig's error for `env`, or a failure if it parsed. */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be rejected`);
}

describe('loadConfig', () => {
  it('points ADMIN_URL at the app this server serves (/admin on its PORT) unless it is set', () => {
    expect(loadConfig({}).ADMIN_URL).toBe('http://localhost:3000/admin');
    expect(loadConfig({ PORT: '4100' }).ADMIN_URL).toBe('http://localhost:4100/admin');
    expect(loadConfig({ PORT: '4100', ADMIN_URL: 'https://admin.shop.example' }).ADMIN_URL).toBe(
      'https://admin.shop.example',
    );
  });

  it('uses the documented default for every unset variable, and leaves optional ones unset', () => {
    const config = loadConfig({});
    for (const [name, s] of Object.entries(settings)) {
      if (s.default === undefined) expect(config, name).not.toHaveProperty(name);
      else expect(config[name as keyof typeof config], name).toEqual(s.default);
    }
    expect(config).toMatchObject({
      HOST: '127.0.0.1',
      PORT: 3000,
      BACKROOM_DATA_DIR: './.backroom',
      LOG_LEVEL: 'info',
      CORS_ORIGINS: ['*'],
      BACKROOM_WORKERS: true,
      TRUST_PROXY: false,
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
  });

  it("reads TRUST_PROXY as on/off, or the proxies' addresses", () => {
    expect(loadConfig({ TRUST_PROXY: 'off' }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '0' }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'loopback' }).TRUST_PROXY).toEqual(['loopback']);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1' }).TRUST_PROXY).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      '::1',
    ]);
    for (const bad of ['2', 'proxy.internal', '10.0.0.0/33', '10.0.0.1/8/1']) {
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(/^TRUST_PROXY: /);
    }
  });

  it('reads only the environment it is given', () => {
    const saved = process.env.PORT;
    process.env.PORT = '9999';
    try {
      expect(loadConfig({}).PORT).toBe(3000);
      expect(loadConfig({ PORT: '8080' }).PORT).toBe(8080);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });

  it('parses and normalizes valid values', () => {
    const config = loadConfig({
      HOST: ' 0.0.0.0 ',
      PORT: '8080',
      DATABASE_URL: 'postgres://app:secret@db.internal:5432/backroom',
      REDIS_URL: 'rediss://cache.internal:6380',
      LOG_LEVEL: 'DEBUG',
      BACKROOM_WORKERS: 'off',
      TRUST_PROXY: 'yes',
      CORS_ORIGINS: 'https://shop.example, https://admin.example ,',
      OUTBOX_BATCH_SIZE: '200',
    });
    expect(config).toMatchObject({
      HOST: '0.0.0.0',
      PORT: 8080,
      DATABASE_URL: 'postgres://app:secret@db.internal:5432/backroom',
      REDIS_URL: 'rediss://cache.internal:6380',
      LOG_LEVEL: 'debug',
      BACKROOM_WORKERS: false,
      TRUST_PROXY: true,
      CORS_ORIGINS: ['https://shop.example', 'https://admin.example'],
      OUTBOX_BATCH_SIZE: 200,
    });
  });

  it('treats an explicitly empty CORS_ORIGINS as no origins, unlike an unset one', () => {
    expect(loadConfig({ CORS_ORIGINS: '' }).CORS_ORIGINS).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: '  ' }).CORS_ORIGINS).toEqual([]);
    expect(loadConfig({}).CORS_ORIGINS).toEqual(['*']);
  });

  it('treats other empty variables as unset', () => {
    const config = loadConfig({ PORT: '', DATABASE_URL: '', LOG_LEVEL: ' ' });
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.LOG_LEVEL).toBe('info');
  });

  it('returns a frozen object', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { PORT: number }).PORT = 1;
    }).toThrow(TypeError);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '30.5'],
    ['DATABASE_URL', 'not a url'],
    ['DATABASE_URL', 'mysql://db.internal/backroom'],
    ['DATABASE_URL', 'postgres://'],
    ['REDIS_URL', 'http://cache.internal'],
    ['LOG_LEVEL', 'loud'],
    ['LOG_FORMAT', 'xml'],
    ['BACKROOM_WORKERS', 'maybe'],
    ['DATABASE_POOL_MAX', '0'],
    ['BODY_LIMIT_BYTES', '10'],
  ])('rejects %s=%j with one line naming the variable', (name, value) => {
    const err = configError({ [name]: value });
    expect(err.variable).toBe(name);
    expect(err.message.startsWith(`${name}: `)).toBe(true);
    expect(err.message).not.toContain('\n');
  });

  it('keeps the message on one line even when the bad value spans lines', () => {
    const err = configError({ LOG_LEVEL: 'info\nsecond line' });
    expect(err.message).toBe(
      'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "info\\nsecond line"',
    );
  });

  it('never echoes a database URL, which may hold a password', () => {
    for (const value of ['mysql://app:hunter2@db/backroom', 'postgres://app:hunter2@', 'hunter2 is not a url']) {
      expect(configError({ DATABASE_URL: value }).message).not.toContain('hunter2');
    }
  });

  it('names the first bad variable when several are bad', () => {
    expect(configError({ PORT: 'abc', LOG_LEVEL: 'loud' }).variable).toBe('PORT');
  });

  it('accepts every integer PORT in range and rejects every other string', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65535 }), (port) => {
        expect(loadConfig({ PORT: String(port) }).PORT).toBe(port);
      }),
    );
    const outOfRange = fc.oneof(fc.integer({ max: -1 }), fc.integer({ min: 65536 })).map(String);
    const notAnInteger = fc.string().filter((s) => s.trim() !== '' && !/^\s*-?\d+\s*$/.test(s));
    fc.assert(
      fc.property(fc.oneof(outOfRange, notAnInteger), (raw) => {
        const err = configError({ PORT: raw });
        expect(err.variable).toBe('PORT');
        expect(err.message).not.toContain('\n');
      }),
    );
  });
});
