import { parseArgs } from 'node:util';
import path from 'node:path';
import { ConfigError, env, isProduction, loadConfig } from '@supergraph/config';
import { DEFAULT_COST_OPTIONS } from './edge/cost.js';
import type { IntrospectionMode } from './edge/introspection.js';
import { DEFAULT_OPERATION_LIMITS, type OperationLimits } from './edge/limits.js';
import { DEFAULT_SUBGRAPH_RESILIENCE } from './edge/resilience.js';
import { DEFAULT_RATE_LIMIT_BUDGETS, type RateLimitBudgets } from './edge/useRateLimit.js';

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
  ...edgeConfigSpec(),
};

/** The public edge's variables (docs/gateway-edge.md lists each with its default). */
function edgeConfigSpec() {
  const perMinute = (fallback: number, who: string) =>
    env.int({ default: fallback, min: 1, description: `requests per window for ${who}` });
  return {
    BODY_LIMIT: env.string({ default: '1mb', description: 'largest request body: bytes, or with kb / mb' }),
    LIMIT_DEPTH: env.int({ default: DEFAULT_OPERATION_LIMITS.depth, min: 1 }),
    LIMIT_ALIASES: env.int({ default: DEFAULT_OPERATION_LIMITS.aliases, min: 0 }),
    LIMIT_ROOT_FIELDS: env.int({ default: DEFAULT_OPERATION_LIMITS.rootFields, min: 1 }),
    LIMIT_TOKENS: env.int({ default: DEFAULT_OPERATION_LIMITS.tokens, min: 1 }),
    LIMIT_COST: env.int({ default: DEFAULT_COST_OPTIONS.maxCost, min: 1 }),
    COST_DEFAULT_LIST_SIZE: env.int({ default: DEFAULT_COST_OPTIONS.defaultListSize, min: 0 }),
    RATE_LIMIT: env.oneOf(['on', 'off'], { default: 'on' }),
    RATE_LIMIT_WINDOW_SECONDS: env.int({ default: 60, min: 1 }),
    RATE_LIMIT_ANONYMOUS: perMinute(DEFAULT_RATE_LIMIT_BUDGETS.anonymous.limit, 'each anonymous IP'),
    RATE_LIMIT_USER: perMinute(DEFAULT_RATE_LIMIT_BUDGETS.user.limit, 'each user'),
    RATE_LIMIT_PARTNER: perMinute(DEFAULT_RATE_LIMIT_BUDGETS.partner.limit, 'each partner client'),
    RATE_LIMIT_MUTATION: perMinute(DEFAULT_RATE_LIMIT_BUDGETS.mutation.limit, 'mutations of each caller'),
    CORS_ORIGINS: env.string({ default: '', description: 'comma-separated browser origins allowed by CORS' }),
    HSTS_MAX_AGE_SECONDS: env.int({ default: 31_536_000, min: 0 }),
    INTROSPECTION: env.optional(env.oneOf(['public', 'admins'])),
    TRUST_PROXY_HOPS: env.int({ default: 0, min: 0, description: 'proxies whose X-Forwarded-For is trusted' }),
    SUBGRAPH_TIMEOUT_MS: env.int({ default: DEFAULT_SUBGRAPH_RESILIENCE.timeoutMs, min: 1 }),
    SUBGRAPH_TIMEOUTS: env.string({ default: '', description: 'per-subgraph timeouts, e.g. search=2000,users=1000' }),
    SUBGRAPH_RETRIES: env.int({ default: DEFAULT_SUBGRAPH_RESILIENCE.retries, min: 0, max: 5 }),
    CIRCUIT_FAILURE_THRESHOLD: env.int({
      default: DEFAULT_SUBGRAPH_RESILIENCE.circuitBreaker.failureThreshold ?? 5,
      min: 1,
    }),
    CIRCUIT_OPEN_MS: env.int({ default: DEFAULT_SUBGRAPH_RESILIENCE.circuitBreaker.openMs ?? 10_000, min: 1 }),
  };
}

/** The edge settings of {@link GatewayConfig}: plain values; `index.ts` builds the stores from them. */
export interface EdgeConfig {
  readonly bodyLimit: string;
  readonly limits: OperationLimits;
  readonly cost: { readonly maxCost: number; readonly defaultListSize: number };
  /** Budgets in Redis when REDIS_URL is set, in the process's memory otherwise. */
  readonly rateLimit: { readonly enabled: boolean; readonly budgets: RateLimitBudgets };
  readonly corsOrigins: readonly string[];
  readonly hstsMaxAgeSeconds: number;
  /** Default `admins` with NODE_ENV=production, `public` otherwise. */
  readonly introspection: IntrospectionMode;
  readonly trustProxyHops: number;
  readonly subgraphs: {
    readonly timeoutMs: number;
    readonly timeouts: Readonly<Record<string, number>>;
    readonly retries: number;
    readonly failureThreshold: number;
    readonly openMs: number;
  };
}

const list = (raw: string) =>
  raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

function edgeConfig(
  config: ReturnType<typeof loadConfig<typeof gatewayConfigSpec>>,
  source: Parameters<typeof isProduction>[0],
): EdgeConfig {
  const problems: string[] = [];
  if (!/^\d+(b|kb|mb)?$/i.test(config.BODY_LIMIT)) {
    problems.push(`BODY_LIMIT must be bytes or a size like 512kb or 1mb, got "${config.BODY_LIMIT}"`);
  }
  const corsOrigins = list(config.CORS_ORIGINS);
  for (const origin of corsOrigins) {
    if (origin === '*' || !/^https?:\/\/[^/]+$/.test(origin)) {
      problems.push(`CORS_ORIGINS must list origins like https://app.example.com, got "${origin}"`);
    }
  }
  const timeouts: Record<string, number> = {};
  for (const entry of list(config.SUBGRAPH_TIMEOUTS)) {
    const [name, ms] = entry.split('=');
    if (!name || !ms || !/^\d+$/.test(ms) || Number(ms) < 1) {
      problems.push(`SUBGRAPH_TIMEOUTS must look like search=2000,users=1000, got "${entry}"`);
    } else timeouts[name] = Number(ms);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const window = config.RATE_LIMIT_WINDOW_SECONDS;
  return {
    bodyLimit: config.BODY_LIMIT,
    limits: {
      depth: config.LIMIT_DEPTH,
      aliases: config.LIMIT_ALIASES,
      rootFields: config.LIMIT_ROOT_FIELDS,
      tokens: config.LIMIT_TOKENS,
    },
    cost: { maxCost: config.LIMIT_COST, defaultListSize: config.COST_DEFAULT_LIST_SIZE },
    rateLimit: {
      enabled: config.RATE_LIMIT === 'on',
      budgets: {
        anonymous: { limit: config.RATE_LIMIT_ANONYMOUS, windowSeconds: window },
        user: { limit: config.RATE_LIMIT_USER, windowSeconds: window },
        partner: { limit: config.RATE_LIMIT_PARTNER, windowSeconds: window },
        mutation: { limit: config.RATE_LIMIT_MUTATION, windowSeconds: window },
      },
    },
    corsOrigins,
    hstsMaxAgeSeconds: config.HSTS_MAX_AGE_SECONDS,
    introspection: config.INTROSPECTION ?? (isProduction(source) ? 'admins' : 'public'),
    trustProxyHops: config.TRUST_PROXY_HOPS,
    subgraphs: {
      timeoutMs: config.SUBGRAPH_TIMEOUT_MS,
      timeouts,
      retries: config.SUBGRAPH_RETRIES,
      failureThreshold: config.CIRCUIT_FAILURE_THRESHOLD,
      openMs: config.CIRCUIT_OPEN_MS,
    },
  };
}

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
  readonly edge: EdgeConfig;
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
    edge: edgeConfig(config, source),
  };
}
