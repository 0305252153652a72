/**
 * `npm start`: the whole supergraph on embedded defaults (or on DATABASE_URL / REDIS_URL when set).
 * Ctrl-C stops everything, PostgreSQL included.
 */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { env, isProduction, loadConfig } from '@supergraph/config';
import { createLogger } from '@supergraph/logger';
import { initTracingFromEnv } from '@supergraph/telemetry';
import { DEMO_SEARCH_WORD, seedDemoData } from './demoSeed.js';
import { edgeFromConfig, readGatewayConfig } from '@supergraph/gateway';
import { REPO_ROOT, startStack } from './startStack.js';

const began = performance.now();
if (isProduction()) {
  console.error('The embedded stack is for development: it refuses to run with NODE_ENV=production.');
  process.exit(1);
}
const { values: flags } = parseArgs({
  options: {
    port: { type: 'string' },
    fresh: { type: 'boolean', default: false },
    'no-seed': { type: 'boolean', default: false },
  },
});
const config = loadConfig({
  PORT: env.port({ default: 4000 }),
  DATABASE_URL: env.optional(env.url({ protocols: ['postgres', 'postgresql'] })),
  REDIS_URL: env.optional(env.url({ protocols: ['redis', 'rediss'] })),
  SUPERGRAPH_PATH: env.string({ default: path.join(REPO_ROOT, 'supergraph.graphql') }),
  EMBEDDED_PG_DIR: env.string({
    default: path.join(
      tmpdir(),
      `supergraph-${createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 8)}`,
      'pgdata',
    ),
    description: 'data folder of the embedded PostgreSQL',
  }),
  OIDC_ISSUER: env.optional(env.url({ description: 'Keycloak realm URL; default: a development issuer' })),
  KEYCLOAK_ADMIN_CLIENT_ID: env.string({ default: 'supergraph-admin' }),
  KEYCLOAK_ADMIN_CLIENT_SECRET: env.optional(env.string()),
  DEV_ISSUER_PORT: env.port({ default: 8080 }),
  LOG_LEVEL: env.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'warn' }),
});
const logger = createLogger({ service: 'stack', level: config.LOG_LEVEL });
initTracingFromEnv('supergraph-stack');
if (flags.fresh) rmSync(path.dirname(config.EMBEDDED_PG_DIR), { recursive: true, force: true });

// The gateway's edge as the deployable configures it (RATE_LIMIT, CORS_ORIGINS, … — docs/gateway-edge.md):
// rate limits in memory, or in Redis with REDIS_URL.
const gatewayConfig = readGatewayConfig([]);
const edge = edgeFromConfig(
  gatewayConfig.edge,
  { url: config.REDIS_URL, keyPrefix: gatewayConfig.redisKeyPrefix },
  logger,
);
const stack = await startStack({
  logger,
  edge: edge.edge,
  gatewayPort: flags.port ? Number(flags.port) : config.PORT,
  supergraphPath: path.resolve(config.SUPERGRAPH_PATH),
  ...(config.DATABASE_URL ? { databaseUrl: config.DATABASE_URL } : { embeddedDataDir: config.EMBEDDED_PG_DIR }),
  ...(config.REDIS_URL ? { redisUrl: config.REDIS_URL } : {}),
  ...(config.OIDC_ISSUER
    ? {
        oidc: {
          issuer: config.OIDC_ISSUER,
          adminClientId: config.KEYCLOAK_ADMIN_CLIENT_ID,
          ...(config.KEYCLOAK_ADMIN_CLIENT_SECRET ? { adminClientSecret: config.KEYCLOAK_ADMIN_CLIENT_SECRET } : {}),
        },
      }
    : { devIssuerPort: config.DEV_ISSUER_PORT }),
});

let stopping = false;
const shutdown = () => {
  if (stopping) process.exit(1);
  stopping = true;
  console.log('\nstopping…');
  setTimeout(() => process.exit(1), 15_000).unref();
  // The gateway first: requests still in flight may use the rate limiter's store.
  void stack
    .stop()
    .then(() => edge.close())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);

// The demo data is written by the realm's users, who can sign in only at the development issuer.
const { seeded } =
  flags['no-seed'] || !stack.devIssuer
    ? { seeded: false }
    : await seedDemoData(stack.gatewayUrl, stack.devIssuer.tokenUrl);
const seconds = ((performance.now() - began) / 1000).toFixed(1);
console.log(`
Supergraph ready in ${seconds}s${seeded ? ' (demo data seeded)' : ''}
  GraphQL   ${stack.gatewayUrl}
  PostgreSQL ${config.DATABASE_URL ? 'DATABASE_URL' : `embedded, data in ${config.EMBEDDED_PG_DIR}`}
  Events    ${config.REDIS_URL ? 'Redis Streams (REDIS_URL)' : 'in-process bus'}
  Tokens    ${stack.devIssuer ? `development issuer ${stack.issuer}` : stack.issuer}
Try:
  curl -s ${stack.gatewayUrl} -H 'content-type: application/json' \\
    -d '{"query":"{ search(query: \\"${DEMO_SEARCH_WORD}\\", first: 3) { totalCount } }"}'
Ctrl-C stops everything.`);
