import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EntitySchema } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';
import { InProcessBus } from '@supergraph/events';
import { createSubgraphServer, defineSubgraph, recordEvent, type SubgraphServer } from '@supergraph/subgraph-kit';
import { graphql, testDatabase, testLogger, type TestDatabase } from '@supergraph/testing';
import { parse } from 'graphql';

interface Widget {
  id: string;
  name: string;
}
const WidgetSchema = new EntitySchema<Widget>({
  name: 'Widget',
  tableName: 'widget',
  properties: { id: { type: 'uuid', primary: true }, name: { type: 'text' } },
});

class CreateWidgets extends Migration {
  override async up(): Promise<void> {
    this.addSql('create table "widgets"."widget" ("id" uuid primary key, "name" text not null)');
    this.addSql(`insert into "widgets"."widget" values
      ('01900000-0000-7000-8000-00000000000a', 'a'), ('01900000-0000-7000-8000-00000000000b', 'b')`);
  }
}

const widgets = defineSubgraph({
  name: 'widgets',
  typeDefs: parse(`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
    type Widget @key(fields: "id") { id: ID! name: String! }
    type Query { widget(id: ID!): Widget broken: String }
    type Mutation { renameWidget(id: ID!, name: String!): Widget }
  `),
  resolvers: {
    Mutation: {
      renameWidget: async (_: unknown, { id, name }: { id: string; name: string }, ctx) => {
        const widget = await ctx.em.findOneOrFail(WidgetSchema, { id });
        widget.name = name;
        recordEvent(ctx.em, { stream: 'widgets', type: 'WidgetRenamed', aggregateId: id, payload: { id, name } });
        await ctx.em.flush();
        return widget;
      },
    },
    Query: {
      widget: (_: unknown, { id }: { id: string }, ctx) => ctx.loaders.byId(WidgetSchema).load(id),
      broken: () => {
        throw new Error('connection to 10.0.0.7 refused: password authentication failed');
      },
    },
  },
  entities: [WidgetSchema],
  migrations: [{ name: 'CreateWidgets', class: CreateWidgets }],
  references: { Widget: WidgetSchema },
});

let db: TestDatabase;
let server: SubgraphServer;
let url: string;
let base: string;
const log = testLogger();

beforeAll(async () => {
  db = await testDatabase();
  server = await createSubgraphServer(widgets, {
    databaseUrl: db.url,
    bus: new InProcessBus(),
    logger: log.logger,
    countSqlQueries: true,
  });
  ({ url } = await server.start({ port: 0 }));
  base = url.replace(/\/graphql$/, '');
});

afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

describe('health', () => {
  it('is live at once, and ready only once migrations are applied', async () => {
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    const before = await fetch(`${base}/health/ready`);
    expect(before.status).toBe(503);
    expect(await before.json()).toEqual({ status: 'not ready', reason: '1 pending migration(s)' });
    expect(await server.migrate()).toEqual(['CreateWidgets']);
    const after = await fetch(`${base}/health/ready`);
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual({ status: 'ready' });
  });
});

describe('entity references', () => {
  it('resolves N references with one SQL query; unknown and malformed ids are null', async () => {
    const before = server.stats.sqlQueries;
    const { body } = await graphql(
      url,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Widget { id name } } }',
      {
        r: [
          { __typename: 'Widget', id: '01900000-0000-7000-8000-00000000000b' },
          { __typename: 'Widget', id: '01900000-0000-7000-8000-00000000000a' },
          { __typename: 'Widget', id: '01900000-0000-7000-8000-0000000000ff' },
          { __typename: 'Widget', id: 'not-an-id' },
        ],
      },
    );
    expect(body).toEqual({
      data: {
        _entities: [
          { id: '01900000-0000-7000-8000-00000000000b', name: 'b' },
          { id: '01900000-0000-7000-8000-00000000000a', name: 'a' },
          null,
          null,
        ],
      },
    });
    expect(server.stats.sqlQueries - before).toBe(1);
  });
});

describe('errors', () => {
  it('masks unexpected errors for the client and logs them with the request id', async () => {
    const { body } = await graphql(url, '{ broken }', {}, { 'x-request-id': 'req-kit-1' });
    expect(body).toEqual({
      data: { broken: null },
      errors: [
        {
          message: 'Internal server error',
          locations: [{ line: 1, column: 3 }],
          path: ['broken'],
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        },
      ],
    });
    const logged = log.lines().find((line) => line.msg === 'unexpected error');
    expect(logged).toMatchObject({ requestId: 'req-kit-1', subgraph: 'widgets', level: 'error' });
    expect(JSON.stringify(logged)).toContain('password authentication failed');
  });
});
