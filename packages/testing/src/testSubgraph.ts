import { createTokenVerifier } from '@supergraph/auth';
import { InProcessBus, type EventBus } from '@supergraph/events';
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
  readonly db: TestDatabase;
  readonly bus: EventBus;
  readonly logLines: () => Record<string, unknown>[];
  stop(): Promise<void>;
}

/**
 * One subgraph on its own fresh database, migrated and listening on a free port, counting its SQL
 * statements. Events stay in process unless a bus is given.
 */
export async function startTestSubgraph<Extra extends object = object>(
  createServer: (deps: SubgraphDeps & Extra) => Promise<SubgraphServer>,
  options: { bus?: EventBus; extra?: Extra | ((issuer: DevIssuer) => Extra) } = {},
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
    ...extra,
  });
  await server.migrate();
  const { url } = await server.start({ port: 0 });
  return {
    server,
    issuer,
    token: (username, clientId) =>
      issuer.mintToken(
        username,
        clientId ?? (username.startsWith('service-account-') ? username.slice(16) : 'supergraph-web'),
      ),
    url,
    db,
    bus,
    logLines: lines,
    async stop() {
      await server.stop();
      await bus.close();
      await issuer.stop();
      await db.drop();
    },
  };
}
