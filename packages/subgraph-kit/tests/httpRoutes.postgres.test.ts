import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { InProcessBus } from '@supergraph/events';
import { createSubgraphServer, defineSubgraph, type SubgraphServer } from '@supergraph/subgraph-kit';
import { testDatabase, testLogger, type TestDatabase } from '@supergraph/testing';
import { parse } from 'graphql';

const SECRET = 'route-test-secret';
const sign = (body: string | Buffer) => createHmac('sha256', SECRET).update(body).digest('hex');

// A signed-webhook endpoint: the signature is over the bytes as sent, so the kit must not parse them.
const hooks = defineSubgraph({
  name: 'hooks',
  typeDefs: parse(`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
    type Query { ok: Boolean }
  `),
  resolvers: { Query: { ok: () => true } },
  entities: [],
  migrations: [],
  httpRoutes: [
    {
      method: 'POST',
      path: '/hooks/signed',
      handle: async ({ rawBody, headers, em }) => {
        if (headers['x-signature'] !== sign(rawBody)) return { status: 400, body: { error: 'bad signature' } };
        const [{ now }] = (await em.execute('select 1 as now')) as [{ now: number }];
        return { status: 200, body: { bytes: rawBody.length, text: rawBody.toString('utf8'), db: now } };
      },
    },
    {
      method: 'POST',
      path: '/hooks/broken',
      handle: async () => {
        throw new Error('database password leaked in a message');
      },
    },
  ],
});

let db: TestDatabase;
let server: SubgraphServer;
let base: string;
const log = testLogger();

beforeAll(async () => {
  db = await testDatabase();
  server = await createSubgraphServer(hooks, {
    databaseUrl: db.url,
    bus: new InProcessBus(),
    logger: log.logger,
    bodyLimit: '1kb',
  });
  base = (await server.start({ port: 0 })).url.replace(/\/graphql$/, '');
});
afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
  return { status: response.status, body: await response.json() };
};

describe('httpRoutes', () => {
  it('hands the handler the raw body, whitespace and all, with a request-scoped entity manager', async () => {
    const body = '{ "a" :  1 }\n';
    expect(await post('/hooks/signed', body, { 'x-signature': sign(body) })).toEqual({
      status: 200,
      body: { bytes: 13, text: body, db: 1 },
    });
    expect(await post('/hooks/signed', body, { 'x-signature': sign('{"a":1}') })).toEqual({
      status: 400,
      body: { error: 'bad signature' },
    });
  });

  it('answers 500 without details when the handler throws, and logs the error', async () => {
    expect(await post('/hooks/broken', '{}')).toEqual({ status: 500, body: { error: 'internal error' } });
    expect(log.lines().some((line) => line.msg === 'HTTP route failed' && line.route === '/hooks/broken')).toBe(true);
  });

  it('refuses bodies above the body limit before the handler runs', async () => {
    const response = await fetch(`${base}/hooks/signed`, { method: 'POST', body: 'x'.repeat(2048) });
    expect(response.status).toBe(413);
  });
});
