import { env } from '@supergraph/config';

/** Environment of a subgraph process (`src/index.ts` of each subgraph). */
export const subgraphConfigSpec = {
  PORT: env.port({ description: 'HTTP port of this subgraph' }),
  HOST: env.string({ default: '127.0.0.1', description: 'interface to listen on' }),
  DATABASE_URL: env.url({ protocols: ['postgres', 'postgresql'], description: 'PostgreSQL connection URL' }),
  REDIS_URL: env.optional(env.url({ protocols: ['redis', 'rediss'] })),
  REDIS_KEY_PREFIX: env.string({ default: 'sg:' }),
  OIDC_ISSUER: env.optional(env.url({ description: 'Keycloak realm URL whose tokens are accepted' })),
  OIDC_AUDIENCE: env.string({ default: 'supergraph-api' }),
  POLICY_BUNDLE: env.string({
    devDefault: 'policies/bundles/supergraph.tar.gz',
    description: 'policy bundle: file path or http(s) URL of a bundle server',
  }),
  POLICY_PUBLIC_KEY_FILE: env.string({
    devDefault: 'policies/keys/dev-bundle-signing.pub.pem',
    description: 'PEM public key bundles must be signed with',
  }),
  POLICY_KEY_ID: env.string({ default: 'default' }),
  POLICY_POLL_MIN_MS: env.int({ default: 10_000, min: 100 }),
  POLICY_POLL_MAX_MS: env.int({ default: 20_000, min: 100 }),
  LOG_LEVEL: env.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
  MIGRATE_ON_START: env.bool({ default: true, description: 'apply pending migrations at start-up' }),
  SHUTDOWN_TIMEOUT_MS: env.int({ default: 10_000, min: 0 }),
};
