import { createTokenVerifier } from '@supergraph/auth';
import { InProcessBus, type EventBus, type RealtimeBus } from '@supergraph/events';
import type { DevIssuer } from '@supergraph/local-infra';
import type { SubgraphDeps, SubgraphServer } from '@supergraph/subgraph-kit';
import { testDatabase, type TestDatabase } from './testDatabase.js';
import { testLogger } from './testLogger.js';
import { startTestIssuer } from './testIssuer.js';
import { committedPolicyEngine } from './testPolicy.js';

export interface TestSubgraph {
  readonly server: SubgraphServer;
  /** The development issuer whose tokens this subgraph accepts. */
  readonly issuer: DevIssuer;
  /** A signed access token for a realm user (`alice`, `bob`, `mod`, `admin`, `billing`) or service account. */
  token(username: string, clientId?: string): Promise<string>;
  readonly url: string;
  /** GraphQL over WebSocket (`graphql-transport-ws`): `ws://127.0.0.1:<port>/graphql`. */
  readonly wsUrl: string;
  readonly db: TestDatabase;
  readonly bus: EventBus;
  /** The server's realtime bus: the one given, or its own in-process one. */
  readonly realtime: RealtimeBus;
  readonly logLines: () => Record<string, unknown>[];
  stop(): Promise<void>;
}

/**
 * One subgraph on its own fresh database, migrated and listening on a free port, counting its SQL
 * statements. Events and realtime stay in process unless a bus / realtime bus is given; `stop()`
 * closes a given bus and realtime bus too.
 */
export async function startTestSubgraph<Extra extends object = object>(
  createServer: (deps: SubgraphDeps & Extra) => Promise<SubgraphServer>,
  options: { bus?: EventBus; realtime?: RealtimeBus; extra?: Extra | ((issuer: DevIssuer) => Extra) } = {},
): Promise<TestSubgraph> {
  const db = await testDatabase();
  const issuer = await startTestIssuer();
  const bus = options.bus ?? new InProcessBus();
  const { logger, lines } = testLogger();
  const extra = (typeof options.extra === 'function' ? options.extra(issuer) : options.extra) ?? ({} as Extra);
  const server = await createServer({
    databaseUrl: db.url,
    bus,
    logger,
    countSqlQueries: true,
    relayIntervalMs: 50,
    verifier: createTokenVerifier({ issuer: issuer.issuer }),
    policy: await committedPolicyEngine(logger),
    ...(options.realtime ? { realtime: options.realtime } : {}),
    ...extra,
  });
  await server.migrate();
  const { url, wsUrl } = await server.start({ port: 0 });
  return {
    server,
    issuer,
    token: (username, clientId) =>
      issuer.mintToken(
        username,
        clientId ?? (username.startsWith('service-account-') ? username.slice(16) : 'supergraph-web'),
      ),
    url,
    wsUrl,
    db,
    bus,
    realtime: server.realtime,
    logLines: lines,
    async stop() {
      await server.stop();
      await bus.close();
      await options.realtime?.close();
      await issuer.stop();
      await db.drop();
    },
  };
}
