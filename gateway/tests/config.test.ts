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
      edge: {
        bodyLimit: '1mb',
        limits: { depth: 12, aliases: 50, rootFields: 30, tokens: 5_000 },
        cost: { maxCost: 25_000, defaultListSize: 10 },
        rateLimit: {
          enabled: true,
          budgets: {
            anonymous: { limit: 300, windowSeconds: 60 },
            user: { limit: 1_200, windowSeconds: 60 },
            partner: { limit: 6_000, windowSeconds: 60 },
            mutation: { limit: 120, windowSeconds: 60 },
          },
        },
        corsOrigins: [],
        hstsMaxAgeSeconds: 31_536_000,
        introspection: 'public',
        trustProxyHops: 0,
        subgraphs: { timeoutMs: 10_000, timeouts: {}, retries: 2, failureThreshold: 5, openMs: 10_000 },
      },
    });
  });

  it('reads the edge settings: limits, budgets, origins, per-subgraph timeouts', () => {
    const { edge } = readGatewayConfig([], {
      BODY_LIMIT: '256kb',
      LIMIT_DEPTH: '8',
      LIMIT_COST: '5000',
      RATE_LIMIT: 'off',
      RATE_LIMIT_WINDOW_SECONDS: '10',
      RATE_LIMIT_USER: '50',
      CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
      SUBGRAPH_TIMEOUTS: 'search=2000,users=500',
      INTROSPECTION: 'admins',
    });
    expect(edge).toMatchObject({
      bodyLimit: '256kb',
      limits: { depth: 8 },
      cost: { maxCost: 5_000 },
      rateLimit: { enabled: false, budgets: { user: { limit: 50, windowSeconds: 10 } } },
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      introspection: 'admins',
      subgraphs: { timeouts: { search: 2_000, users: 500 } },
    });
  });

  it('keeps introspection to admins in production unless told otherwise', () => {
    const production = { NODE_ENV: 'production', OIDC_ISSUER: 'https://sso.example.com/realms/supergraph' };
    expect(readGatewayConfig([], production).edge.introspection).toBe('admins');
    expect(readGatewayConfig([], { ...production, INTROSPECTION: 'public' }).edge.introspection).toBe('public');
  });

  it('names bad edge settings', () => {
    expect(() =>
      readGatewayConfig([], { CORS_ORIGINS: '*', SUBGRAPH_TIMEOUTS: 'search:2000', BODY_LIMIT: 'lots' }),
    ).toThrow(
      new ConfigError([
        'BODY_LIMIT must be bytes or a size like 512kb or 1mb, got "lots"',
        'CORS_ORIGINS must list origins like https://app.example.com, got "*"',
        'SUBGRAPH_TIMEOUTS must look like search=2000,users=1000, got "search:2000"',
      ]),
    );
    expect(() => readGatewayConfig([], { RATE_LIMIT: 'maybe' })).toThrow(
      new ConfigError(['RATE_LIMIT must be one of on, off, got "maybe"']),
    );
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
