/**
 * Persisted queries through the gateway with real tokens: automatic persisted queries for first-party
 * clients (Apollo Client's persisted-query link), and per-partner safelists for client-credentials tokens.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import type { Client, ExecutionResult } from 'graphql-ws';
import { REPO_ROOT, startStack, type Stack } from '@supergraph/stack';
import { eventually, graphql, testDatabase, testLogger, wsClient, type TestDatabase } from '@supergraph/testing';

const log = testLogger();
let db: TestDatabase;
let stack: Stack;
let partners: string;
const tokens: Record<string, string> = {};

interface Manifest {
  operations: { id: string; name: string; body: string }[];
}
const manifestOf = (client: string) =>
  JSON.parse(readFileSync(path.join(partners, client, 'manifest.json'), 'utf8')) as Manifest;
const idOf = (client: string, name: string) => manifestOf(client).operations.find((o) => o.name === name)!.id;

async function clientCredentials(client: string, secret: string): Promise<string> {
  const response = await fetch(stack.devIssuer!.tokenUrl, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${client}:${secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

async function post(body: Record<string, unknown>, token?: string) {
  const response = await fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  db = await testDatabase();
  partners = path.join(mkdtempSync(path.join(tmpdir(), 'partners-')), 'partners');
  cpSync(path.join(REPO_ROOT, 'partners'), partners, { recursive: true });
  stack = await startStack({
    logger: log.logger,
    databaseUrl: db.serverUrl,
    databaseName: db.name,
    gatewayPort: 0,
    partnerManifestsDir: partners,
    manifestPollMs: 100,
    firstPartySafelistMode: 'log',
  });
  tokens.acme = await clientCredentials('partner-acme', 'acme-dev-secret');
  tokens.globex = await clientCredentials('partner-globex', 'globex-dev-secret');
  tokens.alice = await stack.devIssuer!.mintToken('alice');
  await graphql(stack.gatewayUrl, '{ me { id } }', {}, { authorization: `Bearer ${tokens.alice}` });
  await graphql(
    stack.gatewayUrl,
    'mutation { createPost(input: { title: "Hello partners", body: "b" }) { id } }',
    {},
    { authorization: `Bearer ${tokens.alice}` },
  );
});

afterAll(async () => {
  await stack?.stop();
  await db?.drop();
  rmSync(path.dirname(partners), { recursive: true, force: true });
});

describe('automatic persisted queries (first-party clients)', () => {
  it('Apollo Client’s persisted-query link: miss, register, hit, then GET', async () => {
    const seen: { method: string; hasQuery: boolean; status: number; code?: string }[] = [];
    const recordingFetch: typeof fetch = async (input, init) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      const method = init?.method ?? 'GET';
      const hasQuery =
        method === 'GET' ? url.searchParams.has('query') : JSON.parse(String(init?.body)).query !== undefined;
      const response = await fetch(input, init);
      const body = (await response.clone().json()) as { errors?: { extensions?: { code?: string } }[] };
      seen.push({
        method,
        hasQuery,
        status: response.status,
        ...(body.errors?.[0]?.extensions?.code ? { code: body.errors[0].extensions.code } : {}),
      });
      return response;
    };
    const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
    const client = new ApolloClient({
      cache: new InMemoryCache(),
      link: new PersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(
        new HttpLink({ uri: stack.gatewayUrl, fetch: recordingFetch }),
      ),
    });
    const query = gql`
      query Titles {
        users(first: 1) {
          edges {
            node {
              handle
            }
          }
        }
      }
    `;
    const first = await client.query({ query, fetchPolicy: 'network-only' });
    const second = await client.query({ query, fetchPolicy: 'network-only' });
    expect(first.data).toEqual({
      users: {
        __typename: 'UserConnection',
        edges: [{ __typename: 'UserEdge', node: { __typename: 'User', handle: 'alice' } }],
      },
    });
    expect(second.data).toEqual(first.data);
    expect(seen).toEqual([
      { method: 'GET', hasQuery: false, status: 200, code: 'PERSISTED_QUERY_NOT_FOUND' }, // miss
      { method: 'POST', hasQuery: true, status: 200 }, // register with the body
      { method: 'GET', hasQuery: false, status: 200 }, // hit, by hash alone, over GET
    ]);
  });

  it('anonymous GET queries are CDN-cacheable; authenticated or failed ones are not; mutations are refused over GET', async () => {
    const query = encodeURIComponent('{ plans { code } }');
    const anonymous = await fetch(`${stack.gatewayUrl}?query=${query}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect([anonymous.status, anonymous.headers.get('cache-control')]).toEqual([200, 'public, max-age=60']);
    const signedIn = await fetch(`${stack.gatewayUrl}?query=${query}`, {
      headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${tokens.alice}` },
    });
    expect([signedIn.status, signedIn.headers.get('cache-control')]).toEqual([200, 'private, no-store']);
    const mutation = await fetch(
      `${stack.gatewayUrl}?query=${encodeURIComponent('mutation { updateProfile(input: {}) { id } }')}`,
      {
        headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${tokens.alice}` },
      },
    );
    expect(mutation.status).toBe(405);
  });

  it('a hash that does not match the query is refused', async () => {
    const { body } = await post({
      query: '{ plans { code } }',
      extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } },
    });
    expect((body.errors as { extensions: { code: string } }[])[0]!.extensions.code).toBe(
      'PERSISTED_QUERY_HASH_MISMATCH',
    );
  });
});

describe('first-party rollout mode', () => {
  it('logs first-party operations missing from the first-party safelist, and refuses nothing', async () => {
    const { status } = await post({ query: '{ plans { name } }' });
    expect(status).toBe(200);
    const id = createHash('sha256').update('{ plans { name } }').digest('hex');
    expect(
      log.lines().some((line) => line.msg === 'operation not in the first-party safelist' && line.operationId === id),
    ).toBe(true);
  });
});

describe('partner safelists', () => {
  it('a partner calling by id succeeds (sha256Hash or documentId)', async () => {
    const id = idOf('partner-acme', 'LatestPosts');
    const byHash = await post(
      { variables: { first: 1 }, extensions: { persistedQuery: { version: 1, sha256Hash: id } } },
      tokens.acme,
    );
    expect(byHash).toEqual({
      status: 200,
      body: {
        data: {
          partnerPosts: {
            edges: [
              { node: expect.objectContaining({ title: 'Hello partners', author: { displayName: 'Alice Anderson' } }) },
            ],
            pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
          },
        },
      },
    });
    const byDocumentId = await post({ documentId: `sha256:${id}`, variables: { first: 1 } }, tokens.acme);
    expect(byDocumentId.body).toEqual(byHash.body);
    expect(stack.gateway.persistedQueries.byOperation.get(`partner-acme|${id}`)).toEqual({ count: 2, refused: 0 });
  });

  it('refuses a freeform body, an id with a body, an unknown id, and another partner’s id, with Router’s codes', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['freeform', { query: '{ partnerPosts(first: 1) { edges { cursor } } }' }, 'PERSISTED_QUERY_ID_REQUIRED'],
      [
        'id and body',
        {
          query: '{ plans { code } }',
          extensions: { persistedQuery: { version: 1, sha256Hash: idOf('partner-acme', 'LatestPosts') } },
        },
        'CANNOT_SEND_PQ_ID_AND_BODY',
      ],
      [
        'unknown id',
        { extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } },
        'PERSISTED_QUERY_NOT_IN_LIST',
      ],
      [
        'another partner’s id',
        {
          extensions: { persistedQuery: { version: 1, sha256Hash: idOf('partner-acme', 'PostById') } },
          variables: { id: 'x' },
        },
        'PERSISTED_QUERY_NOT_IN_LIST',
      ],
    ];
    for (const [name, body, code] of cases) {
      const response = await post(body, tokens.globex);
      expect({
        name,
        status: response.status,
        code: (response.body.errors as { extensions: { code: string } }[])[0]!.extensions.code,
      }).toEqual({ name, status: 400, code });
    }
  });

  it('partners subscribe over graphql-ws by id only, from their own list', async () => {
    const ws = (token: string) => wsClient(stack.gatewayUrl, token);
    const firstResult = (client: Client, payload: { query: string; extensions?: Record<string, unknown> }) =>
      new Promise<ExecutionResult | unknown>((resolve) => {
        client.subscribe(payload, { next: resolve, error: resolve, complete: () => undefined });
      });
    const newPosts = { persistedQuery: { version: 1, sha256Hash: idOf('partner-acme', 'NewPosts') } };
    const acme = ws(tokens.acme!);
    const globex = ws(tokens.globex!);
    try {
      expect(await firstResult(acme, { query: 'subscription { postCreated { id } }' })).toEqual([
        {
          message: 'Partners must send the id of a persisted operation',
          extensions: { code: 'PERSISTED_QUERY_ID_REQUIRED' },
        },
      ]);
      expect(await firstResult(globex, { query: '', extensions: newPosts })).toEqual([
        {
          message: 'This operation is not in your list of persisted operations',
          extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST' },
        },
      ]);
      const event = firstResult(acme, { query: '', extensions: newPosts });
      await eventually(async () => expect(stack.gateway.subscriptions.active()).toBe(1), 3_000);
      await graphql(
        stack.gatewayUrl,
        'mutation { createPost(input: { title: "Pushed to partners", body: "b" }) { id } }',
        {},
        { authorization: `Bearer ${tokens.alice}` },
      );
      expect(await event).toEqual({
        data: { postCreated: { id: expect.any(String), title: 'Pushed to partners', author: { handle: 'alice' } } },
      });
    } finally {
      await Promise.all([acme.dispose(), globex.dispose()]);
    }
  });

  it('a manifest change takes effect without a restart; a malformed manifest keeps the previous list', async () => {
    const body = 'query Plans {\n  plans {\n    code\n  }\n}';
    const id = createHash('sha256').update(body).digest('hex');
    const file = path.join(partners, 'partner-globex', 'manifest.json');
    const before = manifestOf('partner-globex');
    expect((await post({ extensions: { persistedQuery: { version: 1, sha256Hash: id } } }, tokens.globex)).status).toBe(
      400,
    );
    writeFileSync(
      file,
      JSON.stringify({
        format: 'apollo-persisted-query-manifest',
        version: 1,
        operations: [...before.operations, { id, name: 'Plans', type: 'query', body }],
      }),
    );
    await eventually(async () => {
      const response = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: id } } }, tokens.globex);
      expect(response.body).toEqual({ data: { plans: [{ code: 'FREE' }, { code: 'PRO' }] } });
    }, 3_000);
    writeFileSync(file, '{ not json');
    await eventually(
      async () =>
        expect(
          log.lines().some((line) => line.msg === 'partner manifest malformed; keeping the previous safelist'),
        ).toBe(true),
      3_000,
    );
    expect(
      (await post({ extensions: { persistedQuery: { version: 1, sha256Hash: id } } }, tokens.globex)).body,
    ).toEqual({ data: { plans: [{ code: 'FREE' }, { code: 'PRO' }] } });
  });
});
