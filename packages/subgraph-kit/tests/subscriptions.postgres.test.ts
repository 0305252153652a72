import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EntitySchema } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';
import type { Client } from 'graphql-ws';
import { WebSocket } from 'ws';
import { createTokenVerifier } from '@supergraph/auth';
import { InProcessBus, InProcessRealtime, RealtimeOverflowError } from '@supergraph/events';
import type { DevIssuer } from '@supergraph/local-infra';
import { createSubgraphServer, defineSubgraph, filterEvents, type SubgraphServer } from '@supergraph/subgraph-kit';
import {
  eventually,
  graphql,
  startTestIssuer,
  subscribeWs,
  testDatabase,
  testLogger,
  wsClient,
  type TestDatabase,
} from '@supergraph/testing';
import { parse } from 'graphql';

interface Gadget {
  id: string;
  name: string;
}
const GadgetSchema = new EntitySchema<Gadget>({
  name: 'Gadget',
  tableName: 'gadget',
  properties: { id: { type: 'uuid', primary: true }, name: { type: 'text' } },
});
const GADGET = '01900000-0000-7000-8000-00000000000a';

class CreateGadgets extends Migration {
  override async up(): Promise<void> {
    this.addSql('create table "gadgets"."gadget" ("id" uuid primary key, "name" text not null)');
    this.addSql(`insert into "gadgets"."gadget" values ('${GADGET}', 'first')`);
  }
}

const failing = (error: Error) => ({
  next: () => Promise.reject(error),
  return: () => Promise.resolve({ value: undefined, done: true as const }),
  [Symbol.asyncIterator]() {
    return this;
  },
});

const gadgets = defineSubgraph({
  name: 'gadgets',
  typeDefs: parse(`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@requiresScopes"])
    type Gadget @key(fields: "id") { id: ID! name: String! }
    type Query { whoami: String }
    type Subscription {
      gadgetRenamed: Gadget!
      overflowing: Int!
      broken: Int!
      adminOnly: Int! @requiresScopes(scopes: [["role:admin"]])
    }
  `),
  resolvers: {
    Query: { whoami: (_: unknown, __: unknown, ctx) => ctx.identity?.username ?? null },
    Subscription: {
      gadgetRenamed: {
        subscribe: (_: unknown, __: unknown, ctx) =>
          filterEvents<{ id: string }>(ctx.realtime.subscribe('gadgets'), () => true),
        // Through the loader: a loader kept for the whole subscription would answer the first name forever.
        resolve: (event: { id: string }, _: unknown, ctx) => ctx.loaders.byId(GadgetSchema).load(event.id),
      },
      overflowing: { subscribe: () => failing(new RealtimeOverflowError('x', 1000)) },
      broken: { subscribe: () => failing(new Error('redis at 10.0.0.7 refused the password')) },
      adminOnly: { subscribe: (_: unknown, __: unknown, ctx) => ctx.realtime.subscribe('admin') },
    },
  },
  entities: [GadgetSchema],
  migrations: [{ name: 'CreateGadgets', class: CreateGadgets }],
  references: { Gadget: GadgetSchema },
});

let db: TestDatabase;
let issuer: DevIssuer;
let server: SubgraphServer;
let wsUrl: string;
const realtime = new InProcessRealtime();
const log = testLogger();
const clients: Client[] = [];

beforeAll(async () => {
  [db, issuer] = await Promise.all([testDatabase(), startTestIssuer()]);
  server = await createSubgraphServer(gadgets, {
    databaseUrl: db.url,
    bus: new InProcessBus(),
    realtime,
    logger: log.logger,
    verifier: createTokenVerifier({ issuer: issuer.issuer }),
  });
  await server.migrate();
  ({ wsUrl } = await server.start({ port: 0 }));
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await server?.stop();
  await realtime.close();
  await issuer?.stop();
  await db?.drop();
});

function connect(token?: string): Client {
  const client = wsClient(wsUrl, token);
  clients.push(client);
  return client;
}

const run = subscribeWs;

describe('GraphQL over WebSocket', () => {
  it('runs queries with the identity of the connection', async () => {
    const alice = run(connect(await issuer.mintToken('alice')), '{ whoami }');
    const anonymous = run(connect(), '{ whoami }');
    expect(await alice.done).toEqual({ completed: true });
    expect(await anonymous.done).toEqual({ completed: true });
    expect(alice.events).toEqual([{ data: { whoami: 'alice' } }]);
    expect(anonymous.events).toEqual([{ data: { whoami: null } }]);
  });

  it('resolves each event with a fresh entity manager and loaders', async () => {
    const renamed = run(connect(), 'subscription { gadgetRenamed { id name } }');
    await eventually(async () => expect(realtime.activeSubscriptions('gadgets')).toBe(1));
    for (const name of ['second', 'third']) {
      await server.orm.em.fork().nativeUpdate(GadgetSchema, { id: GADGET }, { name });
      const count = renamed.events.length;
      await realtime.publish('gadgets', { id: GADGET });
      await eventually(async () => expect(renamed.events).toHaveLength(count + 1));
    }
    expect(renamed.events).toEqual([
      { data: { gadgetRenamed: { id: GADGET, name: 'second' } } },
      { data: { gadgetRenamed: { id: GADGET, name: 'third' } } },
    ]);
    renamed.unsubscribe();
    await eventually(async () => expect(realtime.activeSubscriptions('gadgets')).toBe(0));
  });

  it('ends a subscription that overflows with SUBSCRIPTION_OVERFLOW, and masks unexpected errors', async () => {
    const client = connect();
    const overflowing = run(client, 'subscription { overflowing }');
    const broken = run(client, 'subscription { broken }');
    expect(await overflowing.done).toEqual({
      error: [
        {
          message: 'The subscription fell too far behind its events and was ended',
          extensions: { code: 'SUBSCRIPTION_OVERFLOW' },
        },
      ],
    });
    expect(await broken.done).toEqual({
      error: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
    });
    expect(log.lines().filter((line) => line.msg === 'unexpected error')).toHaveLength(1);
  });

  it('refuses a subscription whose field the caller may not use, without subscribing', async () => {
    const denied = run(connect(await issuer.mintToken('alice')), 'subscription { adminOnly }');
    expect(await denied.done).toEqual({ completed: true });
    expect(denied.events).toEqual([
      {
        errors: [
          {
            message: 'Unauthorized field or type',
            locations: [{ line: 1, column: 16 }],
            path: ['adminOnly'],
            extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' },
          },
        ],
      },
    ]);
    const allowed = run(connect(await issuer.mintToken('admin')), 'subscription { adminOnly }');
    await eventually(async () => expect(realtime.activeSubscriptions('admin')).toBe(1));
    await realtime.publish('admin', { adminOnly: 42 });
    await eventually(async () => expect(allowed.events).toEqual([{ data: { adminOnly: 42 } }]));
    allowed.unsubscribe();
  });

  it('closes the connection with 4403 when its token expires', async () => {
    const token = await issuer.mintToken('alice', undefined, { exp: Math.floor(Date.now() / 1000) + 1 });
    const client = connect(token);
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      client.on('closed', (event) => resolve(event as { code: number; reason: string })),
    );
    const renamed = run(client, 'subscription { gadgetRenamed { id } }');
    expect(await closed).toMatchObject({ code: 4403, reason: 'Token expired' });
    expect(await renamed.done).toEqual({ error: expect.objectContaining({ code: 4403 }) });
    await eventually(async () => expect(realtime.activeSubscriptions('gadgets')).toBe(0));
  });

  it('answers 400 to a WebSocket upgrade on another path', async () => {
    const socket = new WebSocket(wsUrl.replace('/graphql', '/other'), 'graphql-transport-ws');
    const status = await new Promise<number | undefined>((resolve) => {
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode));
      socket.on('error', () => resolve(undefined));
    });
    expect(status).toBe(400);
    expect((await graphql(wsUrl.replace('ws://', 'http://'), '{ whoami }')).body).toEqual({ data: { whoami: null } });
  });
});
