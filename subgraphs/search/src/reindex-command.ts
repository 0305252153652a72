/**
 * `npm run reindex -w @supergraph/search [-- --force]`: rebuilds the search read model from the event
 * streams (see `reindex.ts`) against the deployment's PostgreSQL and Redis, while the search
 * subgraph keeps serving. Needs `REDIS_URL`: the in-process bus of the embedded default lives inside
 * the stack's process, where `reindexSearch` is called directly instead.
 */
import { env, loadConfig } from '@supergraph/config';
import { createLogger } from '@supergraph/logger';
import { createBus } from '@supergraph/subgraph-kit';
import { createServer } from './server.js';
import { reindexSearch } from './reindex.js';

const config = loadConfig({
  DATABASE_URL: env.url({ protocols: ['postgres', 'postgresql'], description: 'PostgreSQL connection URL' }),
  REDIS_URL: env.url({ protocols: ['redis', 'rediss'], description: 'Redis whose streams are replayed' }),
  REDIS_KEY_PREFIX: env.string({ default: 'sg:' }),
  LOG_LEVEL: env.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
});
const logger = createLogger({ service: 'search-reindex', level: config.LOG_LEVEL });
const bus = createBus({ redisUrl: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX, logger });
// Built, not started: only its ORM is used.
const server = await createServer({ databaseUrl: config.DATABASE_URL, bus, logger });
try {
  // The live tables must be what the deployed code expects before they are rebuilt like it.
  const pending = await server.orm.getMigrator().getPendingMigrations();
  if (pending.length > 0) throw new Error(`search database has ${pending.length} pending migration(s): migrate first`);
  const result = await reindexSearch({ orm: server.orm, bus, logger, force: process.argv.includes('--force') });
  console.log(JSON.stringify(result));
} catch (error) {
  logger.error({ err: error }, 'search reindex failed');
  process.exitCode = 1;
} finally {
  await server.stop();
  await bus.close();
}
