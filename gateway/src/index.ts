import { createTokenVerifier, RedisDenylist } from '@supergraph/auth';
import { createLogger } from '@supergraph/logger';
import { initTracingFromEnv } from '@supergraph/telemetry';
import { readGatewayConfig } from './config.js';
import { createGateway } from './createGateway.js';
import { RedisKeyValueCache } from './persisted/index.js';
import { edgeFromConfig } from './edge/fromConfig.js';

const config = readGatewayConfig();
const logger = createLogger({ service: 'gateway', level: config.logLevel });
const tracing = initTracingFromEnv('gateway');
if (!config.oidcIssuer) logger.warn('OIDC_ISSUER is not set: every bearer token is refused');
const verifier = config.oidcIssuer
  ? createTokenVerifier({ issuer: config.oidcIssuer, audience: config.oidcAudience })
  : undefined;
const denylist = config.redisUrl ? new RedisDenylist(config.redisUrl, config.redisKeyPrefix) : undefined;
const apqCache = config.redisUrl ? new RedisKeyValueCache(config.redisUrl, `${config.redisKeyPrefix}apq:`) : undefined;
const edge = edgeFromConfig(config.edge, { url: config.redisUrl, keyPrefix: config.redisKeyPrefix }, logger);
const gateway = createGateway({
  logger,
  edge: edge.edge,
  bodyLimit: config.edge.bodyLimit,
  supergraphPath: config.supergraphPath,
  partnerManifestsDir: config.partnerManifestsDir,
  manifestPollMs: config.manifestPollMs,
  publicGetMaxAgeSeconds: config.publicGetMaxAgeSeconds,
  firstPartySafelistMode: config.firstPartySafelistMode,
  ...(apqCache ? { apqCache } : {}),
  ...(verifier ? { verifier } : {}),
  ...(denylist ? { denylist } : {}),
});
await gateway.start({ port: config.port, host: config.host });

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) process.exit(1);
  stopping = true;
  logger.info({ signal }, 'shutting down');
  setTimeout(() => process.exit(1), config.shutdownTimeoutMs).unref();
  void gateway
    .stop()
    .then(() => Promise.all([denylist?.close(), apqCache?.close(), edge.close()]))
    .then(() => tracing.shutdown())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
};
process.once('SIGINT', () => shutdown('SIGINT'));
process.once('SIGTERM', () => shutdown('SIGTERM'));
