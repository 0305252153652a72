/**
 * Jest global setup: real PostgreSQL and Redis for the whole run. Uses `DATABASE_URL` / `REDIS_URL`
 * when set (a server the caller runs); otherwise starts an embedded PostgreSQL and a `redis-server`
 * (installed from Debian packages when missing) on free loopback ports. Test files read
 * `SUPERGRAPH_TEST_PG` and `SUPERGRAPH_TEST_REDIS`; each file creates its own database and key prefix.
 */
import { startEmbeddedPostgres, startRedisServer } from '@supergraph/local-infra';

interface Stoppable {
  stop(): Promise<void>;
}

declare global {
  var __supergraphTestInfra: Stoppable[] | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (globalThis.__supergraphTestInfra) return; // several jest projects share one run
  const started: Stoppable[] = [];
  globalThis.__supergraphTestInfra = started;
  if (!process.env.SUPERGRAPH_TEST_PG) {
    if (process.env.DATABASE_URL) process.env.SUPERGRAPH_TEST_PG = process.env.DATABASE_URL;
    else {
      const postgres = await startEmbeddedPostgres();
      started.push(postgres);
      process.env.SUPERGRAPH_TEST_PG = postgres.url;
    }
  }
  if (!process.env.SUPERGRAPH_TEST_REDIS) {
    if (process.env.REDIS_URL) process.env.SUPERGRAPH_TEST_REDIS = process.env.REDIS_URL;
    else {
      const redis = await startRedisServer({ log: (line) => console.log(`[test infra] ${line}`) });
      started.push(redis);
      process.env.SUPERGRAPH_TEST_REDIS = redis.url;
    }
  }
}
