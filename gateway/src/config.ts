import { parseArgs } from 'node:util';
import path from 'node:path';
import { ConfigError, env, isProduction, loadConfig } from '@supergraph/config';

export const gatewayConfigSpec = {
  PORT: env.port({ default: 4000 }),
  HOST: env.string({ default: '127.0.0.1', description: 'interface to listen on (0.0.0.0 in containers)' }),
  SUPERGRAPH_PATH: env.string({
    default: 'supergraph.graphql',
    description: 'composed supergraph SDL file, watched for changes',
  }),
  OIDC_ISSUER: env.optional(env.url({ description: 'Keycloak realm URL whose tokens are accepted' })),
  OIDC_AUDIENCE: env.string({ default: 'supergraph-api' }),
  REDIS_URL: env.optional(env.url({ protocols: ['redis', 'rediss'] })),
  REDIS_KEY_PREFIX: env.string({ default: 'sg:' }),
  PARTNER_MANIFESTS_DIR: env.string({
    default: 'partners',
    description: 'partner safelists: <dir>/<client id>/manifest.json',
  }),
  MANIFEST_POLL_MS: env.int({ default: 2_000, min: 100 }),
  PUBLIC_GET_MAX_AGE_SECONDS: env.int({ default: 60, min: 0 }),
  FIRST_PARTY_SAFELIST_MODE: env.oneOf(['off', 'log'], { default: 'off' }),
  LOG_LEVEL: env.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
  SHUTDOWN_TIMEOUT_MS: env.int({ default: 10_000, min: 0 }),
};

export interface GatewayConfig {
  readonly port: number;
  readonly host: string;
  readonly supergraphPath: string;
  readonly logLevel: string;
  readonly shutdownTimeoutMs: number;
  readonly oidcIssuer: string | undefined;
  readonly oidcAudience: string;
  readonly redisUrl: string | undefined;
  readonly redisKeyPrefix: string;
  readonly partnerManifestsDir: string;
  readonly manifestPollMs: number;
  readonly publicGetMaxAgeSeconds: number;
  readonly firstPartySafelistMode: 'off' | 'log';
}

/** Environment first, then `--port` and `--supergraph` flags, which win. */
export function readGatewayConfig(argv = process.argv.slice(2), source = process.env): GatewayConfig {
  const config = loadConfig(gatewayConfigSpec, source);
  if (!config.OIDC_ISSUER && isProduction(source))
    throw new ConfigError(['OIDC_ISSUER is required when NODE_ENV=production']);
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, supergraph: { type: 'string' } },
    strict: true,
  });
  const flags = loadConfig(
    { PORT: env.optional(env.port()), SUPERGRAPH_PATH: env.optional(env.string()) },
    { PORT: values.port, SUPERGRAPH_PATH: values.supergraph },
  );
  return {
    port: flags.PORT ?? config.PORT,
    host: config.HOST,
    supergraphPath: path.resolve(flags.SUPERGRAPH_PATH ?? config.SUPERGRAPH_PATH),
    logLevel: config.LOG_LEVEL,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    oidcIssuer: config.OIDC_ISSUER,
    oidcAudience: config.OIDC_AUDIENCE,
    redisUrl: config.REDIS_URL,
    redisKeyPrefix: config.REDIS_KEY_PREFIX,
    partnerManifestsDir: path.resolve(config.PARTNER_MANIFESTS_DIR),
    manifestPollMs: config.MANIFEST_POLL_MS,
    publicGetMaxAgeSeconds: config.PUBLIC_GET_MAX_AGE_SECONDS,
    firstPartySafelistMode: config.FIRST_PARTY_SAFELIST_MODE,
  };
}
