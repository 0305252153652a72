/**
 * Two small real federated subgraphs (accounts, catalog) behind the real gateway, for the edge tests.
 * Each subgraph can be slowed down, made to answer 503, stopped and restarted on the same port.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { parse } from 'graphql';
import express from 'express';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { composeServices } from '@apollo/composition';
import { testLogger } from '@supergraph/testing';
import { createGateway, type Gateway, type GatewayOptions } from '@supergraph/gateway';

const ACCOUNTS = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Query {
    me: Account
    accounts(first: Int = 10): [Account!]!
    account(id: ID!): Account
    boom: String
    search(query: String!): [Account!]!
  }
  type Mutation { rename(name: String!): Account! }
  type Account @key(fields: "id") {
    id: ID!
    name: String!
    friends(first: Int = 5): [Account!]!
  }
`;

const CATALOG = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Query { products(first: Int = 10): [Product!]! }
  type Product { id: ID! title: String! }
  type Account @key(fields: "id") {
    id: ID!
    favourites: [Product!]!
  }
`;

const account = (id: string) => ({ id, name: `Account ${id}` });
const list = (n: number, make: (i: number) => unknown) => Array.from({ length: n }, (_, i) => make(i + 1));

const resolvers = {
  accounts: {
    Query: {
      me: () => account('1'),
      accounts: (_: unknown, { first }: { first: number }) => list(first, (i) => account(String(i))),
      account: (_: unknown, { id }: { id: string }) => account(id),
      search: () => [account('1')],
      boom: () => {
        // What a careless resolver leaks: SQL and internals, never to reach a client.
        throw new Error(
          'duplicate key value violates unique constraint "account_pkey": INSERT INTO account VALUES ($1)',
        );
      },
    },
    Mutation: { rename: (_: unknown, { name }: { name: string }) => ({ id: '1', name }) },
    Account: {
      __resolveReference: ({ id }: { id: string }) => account(id),
      friends: (_: unknown, { first }: { first: number }) => list(first, (i) => account(`f${i}`)),
    },
  },
  catalog: {
    Query: {
      products: (_: unknown, { first }: { first: number }) => list(first, (i) => ({ id: `p${i}`, title: `P${i}` })),
    },
    Account: { favourites: () => [{ id: 'p1', title: 'P1' }] },
  },
} as const;

export interface FakeSubgraph {
  readonly name: 'accounts' | 'catalog';
  readonly url: string;
  /** Requests received, by operation kind. */
  readonly calls: { query: number; mutation: number };
  /** Milliseconds to wait before answering. */
  delayMs: number;
  /** The next N requests are answered 503 without running. */
  failNext: number;
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
}

async function startSubgraph(name: 'accounts' | 'catalog', port = 0): Promise<FakeSubgraph> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(name === 'accounts' ? ACCOUNTS : CATALOG),
    resolvers: resolvers[name] as never,
  });
  const state = { calls: { query: 0, mutation: 0 }, delayMs: 0, failNext: 0 };
  let server: http.Server | undefined;
  let apollo: ApolloServer | undefined;
  const listen = async (onPort: number) => {
    apollo = new ApolloServer({
      schema,
      includeStacktraceInErrorResponses: true,
      plugins: [ApolloServerPluginInlineTraceDisabled()],
    });
    await apollo.start();
    const app = express();
    app.use(express.json());
    app.use(async (req, res, next) => {
      const query = String((req.body as { query?: unknown }).query ?? '');
      state.calls[/^\s*mutation\b/.test(query) ? 'mutation' : 'query'] += 1;
      if (state.delayMs) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
      // Stopped while waiting: nobody is listening for this answer any more.
      if (req.socket.destroyed) return;
      if (state.failNext > 0) {
        state.failNext -= 1;
        res.status(503).send('unavailable');
        return;
      }
      next();
    });
    app.use('/graphql', expressMiddleware(apollo));
    server = http.createServer(app);
    await new Promise<void>((resolve) => server!.listen(onPort, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  };
  const boundPort = await listen(port);
  const stop = async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await apollo?.stop();
  };
  return Object.assign(state, {
    name,
    url: `http://127.0.0.1:${boundPort}/graphql`,
    stop,
    restart: async () => void (await listen(boundPort)),
  });
}

export interface EdgeFixture {
  readonly gateway: Gateway;
  readonly url: string;
  readonly subgraphs: { accounts: FakeSubgraph; catalog: FakeSubgraph };
  readonly logLines: () => Record<string, unknown>[];
  /** The composed supergraph the gateways load. */
  readonly supergraphPath: string;
  /** Another gateway on the same subgraphs (replicas sharing a Redis). */
  startReplica(options?: Partial<GatewayOptions>): Promise<{ gateway: Gateway; url: string }>;
  stop(): Promise<void>;
}

export async function startEdgeFixture(options: Partial<GatewayOptions> = {}): Promise<EdgeFixture> {
  const accounts = await startSubgraph('accounts');
  const catalog = await startSubgraph('catalog');
  const { supergraphSdl, errors } = composeServices(
    [accounts, catalog].map((subgraph) => ({
      name: subgraph.name,
      url: subgraph.url,
      typeDefs: parse(subgraph.name === 'accounts' ? ACCOUNTS : CATALOG),
    })),
  );
  if (!supergraphSdl) throw new Error(`composition failed: ${errors?.map((e) => e.message).join('; ')}`);
  const { logger, lines } = testLogger('gateway');
  const gateways: Gateway[] = [];
  const supergraphPath = path.join(mkdtempSync(path.join(tmpdir(), 'edge-')), 'supergraph.graphql');
  writeFileSync(supergraphPath, supergraphSdl);
  const start = async (extra: Partial<GatewayOptions>) => {
    // A file rather than `supergraphSdl`, whose path hits createGateway's use of fetchMetrics before
    // it is initialised (reported to the lead).
    const created = createGateway({ logger, supergraphPath, ...options, ...extra });
    // Stopping twice (a test, then the fixture) is stopping once.
    let stopped: Promise<void> | undefined;
    const gateway: Gateway = { ...created, stop: () => (stopped ??= created.stop()) };
    gateways.push(gateway);
    const { url } = await gateway.start({ port: 0 });
    return { gateway, url };
  };
  const first = await start({});
  return {
    ...first,
    subgraphs: { accounts, catalog },
    logLines: lines,
    supergraphPath,
    startReplica: start,
    async stop() {
      for (const gateway of gateways) await gateway.stop();
      await accounts.stop().catch(() => {});
      await catalog.stop().catch(() => {});
    },
  };
}

/** A POST as browsers and Apollo Client send it, returning status, headers and the parsed body. */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> & { errors?: GraphQLErrorJson[] } }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} };
}

export interface GraphQLErrorJson {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}
