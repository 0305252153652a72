import { InProcessBus, type EventBus } from '@supergraph/events';
import type { SubgraphDeps, SubgraphServer } from '@supergraph/subgraph-kit';
import { testDatabase, type TestDatabase } from './testDatabase.js';
import { testLogger } from './testLogger.js';

export interface TestSubgraph {
  readonly server: SubgraphServer;
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
export async function startTestSubgraph(
  createServer: (deps: SubgraphDeps) => Promise<SubgraphServer>,
  options: { bus?: EventBus } = {},
): Promise<TestSubgraph> {
  const db = await testDatabase();
  const bus = options.bus ?? new InProcessBus();
  const { logger, lines } = testLogger();
  const server = await createServer({ databaseUrl: db.url, bus, logger, countSqlQueries: true, relayIntervalMs: 50 });
  await server.migrate();
  const { url } = await server.start({ port: 0 });
  return {
    server,
    url,
    db,
    bus,
    logLines: lines,
    async stop() {
      await server.stop();
      await bus.close();
      await db.drop();
    },
  };
}
