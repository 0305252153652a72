import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  createBus,
  createRealtime,
  createPolicyRuntime,
  DEV_BUNDLE_PUBLIC_KEY_FILE,
  type PolicyRuntime,
  type SubgraphDeps,
  type SubgraphServer,
} from '@supergraph/subgraph-kit';
import { createTokenVerifier, MemoryDenylist, RedisDenylist, type SubjectDenylist } from '@supergraph/auth';
import {
  createDatabase,
  startBundleServer,
  startDevIssuer,
  startEmbeddedPostgres,
  type DevIssuer,
  type EmbeddedPostgres,
} from '@supergraph/local-infra';
import { createGateway, RedisKeyValueCache, type Gateway, type GatewayOptions } from '@supergraph/gateway';
import type { Logger } from '@supergraph/logger';
import {
  createServer as users,
  KeycloakIdentityAdmin,
  keycloakFromIssuer,
  type AccountServices,
  type IdentityProviderAdmin,
} from '@supergraph/users';
import { createServer as content } from '@supergraph/content';
import { createServer as search } from '@supergraph/search';
import { createServer as moderation } from '@supergraph/moderation';
import { createServer as billing } from '@supergraph/billing';

export const SUBGRAPH_NAMES = ['users', 'content', 'search', 'moderation', 'billing'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

const FACTORIES: Record<SubgraphName, (deps: SubgraphDeps & AccountServices) => Promise<SubgraphServer>> = {
  users,
  content,
  search,
  moderation,
  billing,
};

export interface StackOptions {
  readonly logger: Logger;
  /** PostgreSQL server URL; the stack's database is created on it. Default: embedded PostgreSQL. */
  readonly databaseUrl?: string;
  /** Database name on that server. Default `supergraph`. */
  readonly databaseName?: string;
  /** Data folder of the embedded PostgreSQL; default a temporary one, removed on stop. */
  readonly embeddedDataDir?: string;
  /** Redis URL for events; default the in-process bus. */
  readonly redisUrl?: string;
  readonly redisKeyPrefix?: string;
  /** Supergraph file (watched) or SDL; default `supergraph.graphql` at the repository root. */
  readonly supergraphPath?: string;
  readonly supergraphSdl?: string;
  /** Gateway port; default 4000 (0 = any free port). Subgraphs take free ports. */
  readonly gatewayPort?: number;
  readonly host?: string;
  /** Count SQL statements per subgraph (tests of batching). */
  readonly countSqlQueries?: boolean;
  /**
   * Keycloak realm URL whose tokens are accepted, with the admin client used to disable accounts.
   * Default: a development issuer serving the realm file's users and clients (refused in production).
   */
  readonly oidc?: { readonly issuer: string; readonly adminClientId?: string; readonly adminClientSecret?: string };
  /** Port of the development issuer; default a free port. */
  readonly devIssuerPort?: number;
  /**
   * Policy bundle location (file or bundle-server URL) and its signing key. Default: a local bundle
   * server over `policies/bundles`, signed with the development key.
   */
  /** Partner safelists folder; default `partners/` of the repository. */
  readonly partnerManifestsDir?: string;
  readonly manifestPollMs?: number;
  readonly firstPartySafelistMode?: 'off' | 'log';
  /** graphql-ws limits of the gateway. */
  readonly websocket?: GatewayOptions['websocket'];
  readonly upstreamSubscriptions?: GatewayOptions['upstreamSubscriptions'];
  /** The gateway's edge (limits, rate limits, CORS, resilience); default: its defaults, no rate limiting. */
  readonly edge?: GatewayOptions['edge'];
  readonly policy?: {
    readonly bundle?: string;
    readonly publicKeyPem?: string;
    readonly minDelayMs?: number;
    readonly maxDelayMs?: number;
  };
}

export interface Stack {
  readonly gatewayUrl: string;
  /** The policy engine every subgraph of this stack decides with. */
  readonly policy: PolicyRuntime;
  readonly issuer: string;
  /** The development issuer, when the stack runs its own. */
  readonly devIssuer: DevIssuer | undefined;
  readonly denylist: SubjectDenylist;
  readonly subgraphUrls: Readonly<Record<SubgraphName, string>>;
  readonly subgraphs: Readonly<Record<SubgraphName, SubgraphServer>>;
  readonly gateway: Gateway;
  readonly databaseUrl: string;
  /** Publishes every subgraph's committed outbox rows now. */
  drainOutboxes(): Promise<void>;
  /**
   * Starts a stopped subgraph again, on the same port with the same dependencies (a replaced replica);
   * `subgraphs[name]` is the new server afterwards.
   */
  restartSubgraph(name: SubgraphName): Promise<void>;
  /** Stops the gateway, subgraphs, bus and (when embedded) PostgreSQL, in that order. */
  stop(): Promise<void>;
}

export const REPO_ROOT = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/**
 * The whole supergraph in one process: PostgreSQL (given or embedded), the event bus (Redis or in
 * process), the five subgraphs on free loopback ports with their migrations applied, and the gateway
 * routed to them.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const { logger } = options;
  const host = options.host ?? '127.0.0.1';
  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const step of cleanups.splice(0).reverse()) {
      await step().catch((error: unknown) => logger.error({ err: error }, 'stop step failed'));
    }
  };
  try {
    let serverUrl = options.databaseUrl;
    let embedded: EmbeddedPostgres | undefined;
    if (!serverUrl) {
      const started = Date.now();
      embedded = await startEmbeddedPostgres({
        ...(options.embeddedDataDir ? { dataDir: options.embeddedDataDir } : {}),
        onLog: (line) => logger.debug({ postgres: line }),
      });
      cleanups.push(() => embedded!.stop());
      serverUrl = embedded.url;
      logger.info({ port: embedded.port, ms: Date.now() - started }, 'embedded PostgreSQL started');
    }
    const databaseUrl = await createDatabase(serverUrl, options.databaseName ?? 'supergraph');

    let devIssuer: DevIssuer | undefined;
    let identityAdmin: IdentityProviderAdmin | undefined;
    if (options.oidc) {
      const { issuer, adminClientId, adminClientSecret } = options.oidc;
      if (adminClientSecret) {
        identityAdmin = new KeycloakIdentityAdmin({
          ...keycloakFromIssuer(issuer),
          clientId: adminClientId ?? 'supergraph-admin',
          clientSecret: adminClientSecret,
        });
      }
    } else {
      const issuerInstance = await startDevIssuer({
        realmFile: path.join(REPO_ROOT, 'keycloak', 'realms', 'supergraph.json'),
        host,
        ...(options.devIssuerPort !== undefined ? { port: options.devIssuerPort } : {}),
      });
      devIssuer = issuerInstance;
      cleanups.push(() => issuerInstance.stop());
      identityAdmin = { setEnabled: async (subject, enabled) => issuerInstance.setEnabled(subject, enabled) };
    }
    const issuer = options.oidc?.issuer ?? devIssuer!.issuer;
    const verifier = createTokenVerifier({ issuer });
    const denylist: SubjectDenylist = options.redisUrl
      ? new RedisDenylist(options.redisUrl, options.redisKeyPrefix)
      : new MemoryDenylist();
    cleanups.push(() => denylist.close());

    let bundle = options.policy?.bundle;
    if (!bundle) {
      const bundleServer = await startBundleServer({ dir: path.join(REPO_ROOT, 'policies', 'bundles'), host });
      cleanups.push(() => bundleServer.stop());
      bundle = `${bundleServer.url}/supergraph.tar.gz`;
    }
    const policy = await createPolicyRuntime({
      logger,
      bundle,
      publicKeyPem: options.policy?.publicKeyPem ?? readFileSync(DEV_BUNDLE_PUBLIC_KEY_FILE, 'utf8'),
      minDelayMs: options.policy?.minDelayMs ?? 5_000,
      maxDelayMs: options.policy?.maxDelayMs ?? 10_000,
    });
    cleanups.push(async () => policy.stop());

    const bus = createBus({
      redisUrl: options.redisUrl,
      logger,
      ...(options.redisKeyPrefix !== undefined ? { keyPrefix: options.redisKeyPrefix } : {}),
    });
    cleanups.push(() => bus.close());
    const realtime = createRealtime({
      redisUrl: options.redisUrl,
      logger,
      ...(options.redisKeyPrefix !== undefined ? { keyPrefix: options.redisKeyPrefix } : {}),
    });
    cleanups.push(() => realtime.close());

    const subgraphs = {} as Record<SubgraphName, SubgraphServer>;
    const subgraphUrls = {} as Record<SubgraphName, string>;
    const startSubgraph = async (name: SubgraphName, port: number) => {
      const server = await FACTORIES[name]({
        databaseUrl,
        bus,
        logger,
        verifier,
        denylist,
        identityAdmin,
        policy: policy.engine,
        realtime,
        ...(options.countSqlQueries ? { countSqlQueries: true } : {}),
      });
      subgraphs[name] = server;
      await server.migrate();
      subgraphUrls[name] = (await server.start({ port, host })).url;
    };
    await Promise.all(
      SUBGRAPH_NAMES.map(async (name) => {
        // Stops the current server of that name, which a restart replaces.
        cleanups.push(async () => subgraphs[name]?.stop());
        await startSubgraph(name, 0);
      }),
    );

    const apqCache = options.redisUrl
      ? new RedisKeyValueCache(options.redisUrl, `${options.redisKeyPrefix ?? 'sg:'}apq:`)
      : undefined;
    if (apqCache) cleanups.push(() => apqCache.close());
    const gateway = createGateway({
      logger,
      subgraphUrls,
      verifier,
      denylist,
      partnerManifestsDir: options.partnerManifestsDir ?? path.join(REPO_ROOT, 'partners'),
      ...(options.websocket ? { websocket: options.websocket } : {}),
      ...(options.upstreamSubscriptions ? { upstreamSubscriptions: options.upstreamSubscriptions } : {}),
      ...(options.edge ? { edge: options.edge } : {}),
      ...(options.firstPartySafelistMode ? { firstPartySafelistMode: options.firstPartySafelistMode } : {}),
      ...(options.manifestPollMs !== undefined ? { manifestPollMs: options.manifestPollMs } : {}),
      ...(apqCache ? { apqCache } : {}),
      ...(options.supergraphSdl !== undefined
        ? { supergraphSdl: options.supergraphSdl }
        : { supergraphPath: options.supergraphPath ?? path.join(REPO_ROOT, 'supergraph.graphql') }),
    });
    cleanups.push(() => gateway.stop());
    const { url: gatewayUrl } = await gateway.start({ port: options.gatewayPort ?? 4000, host });

    return {
      gatewayUrl,
      policy,
      issuer,
      devIssuer,
      denylist,
      subgraphUrls,
      subgraphs,
      gateway,
      databaseUrl,
      async drainOutboxes() {
        await Promise.all(Object.values(subgraphs).map((server) => server.drainOutbox()));
      },
      restartSubgraph: (name) => startSubgraph(name, Number(new URL(subgraphUrls[name]).port)),
      stop: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** The committed supergraph SDL. */
export function readSupergraph(): string {
  return readFileSync(path.join(REPO_ROOT, 'supergraph.graphql'), 'utf8');
}
