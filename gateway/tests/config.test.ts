import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '@supergraph/config';
import { readGatewayConfig } from '@supergraph/gateway';

describe('gateway configuration', () => {
  it('defaults to port 4000 and ./supergraph.graphql', () => {
    expect(readGatewayConfig([], {})).toEqual({
      port: 4000,
      host: '127.0.0.1',
      supergraphPath: path.resolve('supergraph.graphql'),
      logLevel: 'info',
      shutdownTimeoutMs: 10_000,
      oidcIssuer: undefined,
      oidcAudience: 'supergraph-api',
      redisUrl: undefined,
      redisKeyPrefix: 'sg:',
      partnerManifestsDir: path.resolve('partners'),
      manifestPollMs: 2_000,
      publicGetMaxAgeSeconds: 60,
      firstPartySafelistMode: 'off',
    });
  });

  it('takes PORT and SUPERGRAPH_PATH from the environment, and flags over both', () => {
    expect(readGatewayConfig([], { PORT: '5000', SUPERGRAPH_PATH: '/srv/a.graphql' })).toMatchObject({
      port: 5000,
      supergraphPath: '/srv/a.graphql',
    });
    expect(
      readGatewayConfig(['--port', '6000', '--supergraph', '/srv/b.graphql'], {
        PORT: '5000',
        SUPERGRAPH_PATH: '/srv/a.graphql',
      }),
    ).toMatchObject({
      port: 6000,
      supergraphPath: '/srv/b.graphql',
    });
  });

  it('requires an issuer in production', () => {
    expect(() => readGatewayConfig([], { NODE_ENV: 'production' })).toThrow(
      new ConfigError(['OIDC_ISSUER is required when NODE_ENV=production']),
    );
  });

  it('names the bad variable or flag', () => {
    expect(() => readGatewayConfig([], { PORT: 'eighty' })).toThrow(
      new ConfigError(['PORT must be an integer, got "eighty"']),
    );
    expect(() => readGatewayConfig(['--port', '99999'], {})).toThrow(
      new ConfigError(['PORT must be at most 65535, got 99999']),
    );
    expect(() => readGatewayConfig(['--bogus'], {})).toThrow("Unknown option '--bogus'");
  });
});
