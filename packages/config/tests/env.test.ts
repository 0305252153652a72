import { describe, expect, it } from '@jest/globals';
import { ConfigError, env, loadConfig } from '@supergraph/config';

const spec = {
  PORT: env.port({ default: 4000 }),
  DATABASE_URL: env.url({ protocols: ['postgres'], devDefault: 'postgres://localhost/dev' }),
  LOG_LEVEL: env.oneOf(['info', 'debug'], { default: 'info' }),
  FLAG: env.bool({ default: false }),
  REDIS_URL: env.optional(env.url()),
};

describe('loadConfig', () => {
  it('applies defaults and dev defaults outside production', () => {
    expect(loadConfig(spec, {})).toEqual({
      PORT: 4000,
      DATABASE_URL: 'postgres://localhost/dev',
      LOG_LEVEL: 'info',
      FLAG: false,
      REDIS_URL: undefined,
    });
  });

  it('parses given values', () => {
    expect(
      loadConfig(spec, {
        PORT: '8080',
        DATABASE_URL: 'postgres://db/x',
        LOG_LEVEL: 'debug',
        FLAG: 'yes',
        REDIS_URL: 'redis://r:6379',
      }),
    ).toEqual({
      PORT: 8080,
      DATABASE_URL: 'postgres://db/x',
      LOG_LEVEL: 'debug',
      FLAG: true,
      REDIS_URL: 'redis://r:6379',
    });
  });

  it('refuses dev defaults in production and reports every bad variable by name at once', () => {
    let error: unknown;
    try {
      loadConfig(spec, { NODE_ENV: 'production', PORT: '70000', LOG_LEVEL: 'loud', FLAG: 'maybe', REDIS_URL: 'nope' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'PORT must be at most 65535, got 70000',
      'DATABASE_URL is required when NODE_ENV=production',
      'LOG_LEVEL must be one of info, debug, got "loud"',
      'FLAG must be true or false, got "maybe"',
      'REDIS_URL must be a URL, got "nope"',
    ]);
  });

  it('rejects a URL of the wrong protocol', () => {
    expect(() =>
      loadConfig({ DATABASE_URL: env.url({ protocols: ['postgres'] }) }, { DATABASE_URL: 'mysql://x' }),
    ).toThrow('DATABASE_URL must use postgres, got "mysql:"');
  });
});
