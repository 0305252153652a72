import { createTokenVerifier, RedisDenylist, type SubjectDenylist } from '@supergraph/auth';
import { ConfigError, isProduction, loadConfig } from '@supergraph/config';
import { createLogger } from '@supergraph/logger';
import { readFileSync } from 'node:fs';
import { initTracingFromEnv } from '@supergraph/telemetry';
import { createBus } from './createBus.js';
import { createRealtime } from './createRealtime.js';
import { createPolicyRuntime } from './policyRuntime.js';
import { subgraphConfigSpec } from './config.js';
import { createSubgraphServer } from './createSubgraphServer.js';
import type { SubgraphDefinition } from './defineSubgraph.js';

/**
 * The `src/index.ts` of every subgraph deployable: reads the environment, migrates, listens, and
 * shuts down gracefully on SIGINT/SIGTERM (a second signal exits at once).
 */
export async function runSubgraph(
  definitionOrFactory: SubgraphDefinition | ((shared: { denylist: SubjectDenylist | undefined }) => SubgraphDefinition),
): Promise<void> {
  const config = loadConfig(subgraphConfigSpec);
  const denylist = config.REDIS_URL ? new RedisDenylist(config.REDIS_URL, config.REDIS_KEY_PREFIX) : undefined;
  const definition =
    typeof definitionOrFactory === 'function' ? definitionOrFactory({ denylist }) : definitionOrFactory;
  const logger = createLogger({ service: `subgraph-${definition.name}`, level: config.LOG_LEVEL });
  // Before anything else is built: servers read whether tracing is on when they are created.
  const tracing = initTracingFromEnv(`subgraph-${definition.name}`);
  if (!config.REDIS_URL) {
    logger.warn(
      'REDIS_URL is not set: events and realtime stay inside this process (use the stack for the embedded default)',
    );
  }
  if (!config.OIDC_ISSUER) {
    if (isProduction()) throw new ConfigError(['OIDC_ISSUER is required when NODE_ENV=production']);
    logger.warn('OIDC_ISSUER is not set: every bearer token is refused and protected fields are denied');
  }
  const verifier = config.OIDC_ISSUER
    ? createTokenVerifier({ issuer: config.OIDC_ISSUER, audience: config.OIDC_AUDIENCE })
    : undefined;
  const policy = await createPolicyRuntime({
    logger,
    bundle: config.POLICY_BUNDLE,
    publicKeyPem: readFileSync(config.POLICY_PUBLIC_KEY_FILE, 'utf8'),
    keyId: config.POLICY_KEY_ID,
    minDelayMs: config.POLICY_POLL_MIN_MS,
    maxDelayMs: config.POLICY_POLL_MAX_MS,
    production: isProduction(),
  });
  const bus = createBus({ redisUrl: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX, logger });
  const realtime = createRealtime({ redisUrl: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX, logger });
  const server = await createSubgraphServer(definition, {
    databaseUrl: config.DATABASE_URL,
    bus,
    realtime,
    logger,
    ...(verifier ? { verifier } : {}),
    ...(denylist ? { denylist } : {}),
    policy: policy.engine,
  });
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
      .then(() => Promise.all([bus.close(), realtime.close(), denylist?.close(), policy.stop(), tracing.shutdown()]))
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}
