import { loadConfig } from '@supergraph/config';
import { createLogger } from '@supergraph/logger';
import { createBus } from './createBus.js';
import { subgraphConfigSpec } from './config.js';
import { createSubgraphServer } from './createSubgraphServer.js';
import type { SubgraphDefinition } from './defineSubgraph.js';

/**
 * The `src/index.ts` of every subgraph deployable: reads the environment, migrates, listens, and
 * shuts down gracefully on SIGINT/SIGTERM (a second signal exits at once).
 */
export async function runSubgraph(definition: SubgraphDefinition): Promise<void> {
  const config = loadConfig(subgraphConfigSpec);
  const logger = createLogger({ service: `subgraph-${definition.name}`, level: config.LOG_LEVEL });
  if (!config.REDIS_URL) {
    logger.warn('REDIS_URL is not set: events stay inside this process (use the stack for the embedded default)');
  }
  const bus = createBus({ redisUrl: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX, logger });
  const server = await createSubgraphServer(definition, { databaseUrl: config.DATABASE_URL, bus, logger });
  if (config.MIGRATE_ON_START) await server.migrate();
  await server.start({ port: config.PORT, host: config.HOST });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown timed out');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    void server
      .stop()
      .then(() => bus.close())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}
