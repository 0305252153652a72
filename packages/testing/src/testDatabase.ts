import { randomBytes } from 'node:crypto';
import { createDatabase, dropDatabase } from '@supergraph/local-infra';

export interface TestDatabase {
  /** URL of the server (its `postgres` database). */
  readonly serverUrl: string;
  readonly name: string;
  /** URL of this test file's own database. */
  readonly url: string;
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env.SUPERGRAPH_TEST_PG;
  if (!url) throw new Error('SUPERGRAPH_TEST_PG is not set: run the tests with `npm test` (jest global setup)');
  return url;
}

/** A fresh database for one test file, dropped by `drop()`. */
export async function testDatabase(): Promise<TestDatabase> {
  const server = serverUrl();
  const name = `t_${randomBytes(6).toString('hex')}`;
  const url = await createDatabase(server, name);
  return { serverUrl: server, name, url, drop: () => dropDatabase(server, name) };
}
