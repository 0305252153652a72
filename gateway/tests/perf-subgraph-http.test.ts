import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SubgraphHttpClient } from '../src/perf/SubgraphHttpClient.js';
import { subgraphFetcher } from '../src/perf/subgraphFetcher.js';

// A real HTTP subgraph stand-in that answers after a delay, so concurrent requests overlap, and
// remembers what it received and on which connection.
let server: http.Server;
let url: string;
const received: { body: string; authorization: string | undefined; socket: number }[] = [];
const sockets = new WeakMap<object, number>();
let nextSocket = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (!sockets.has(req.socket)) sockets.set(req.socket, (nextSocket += 1));
      received.push({ body, authorization: req.headers.authorization, socket: sockets.get(req.socket)! });
      setTimeout(() => {
        res.setHeader('content-type', 'application/json');
        res.setHeader('cache-control', 'max-age=30, public');
        res.statusCode = body.includes('fail') ? 503 : 200;
        res.end(JSON.stringify({ data: { echo: body, n: received.length } }));
      }, 30);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const query = (text: string) => JSON.stringify({ query: text, variables: {} });

describe('subgraph HTTP client (keep-alive pools, in-flight deduplication)', () => {
  it('sends identical queries in flight once and gives every caller its own parsed copy', async () => {
    const client = new SubgraphHttpClient();
    const fetcher = subgraphFetcher(client);
    received.length = 0;
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: query('query A { a }') };
    const responses = await Promise.all([fetcher(url, init), fetcher(url, init), fetcher(url, init)]);
    expect(received).toHaveLength(1);
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<{ data: { n: number } }>));
    expect(bodies.map((b) => b.data.n)).toEqual([1, 1, 1]);
    expect(bodies[0]).not.toBe(bodies[1]);
    expect(responses[0]!.headers.get('Content-Type')).toBe('application/json');
    expect(responses[0]!.headers.get('cache-control')).toBe('max-age=30, public');
    // Once answered, the same query is sent again.
    await fetcher(url, init);
    expect(received).toHaveLength(2);
    await client.close();
  });

  it('never shares mutations, nor queries of different callers', async () => {
    const client = new SubgraphHttpClient();
    const fetcher = subgraphFetcher(client);
    received.length = 0;
    const mutation = { method: 'POST', headers: {}, body: query('mutation M { m }') };
    const asAda = { method: 'POST', headers: { authorization: 'Bearer ada' }, body: query('{ me }') };
    const asBob = { method: 'POST', headers: { authorization: 'Bearer bob' }, body: query('{ me }') };
    // Trace context and request id do not make a request different; any other header does.
    const traced = (traceparent: string, extra: Record<string, string> = {}) => ({
      method: 'POST',
      headers: { authorization: 'Bearer ada', traceparent, 'x-request-id': traceparent, ...extra },
      body: query('{ me }'),
    });
    await Promise.all([
      fetcher(url, mutation),
      fetcher(url, mutation),
      fetcher(url, asAda),
      fetcher(url, asBob),
      fetcher(url, traced('00-a')),
      fetcher(url, traced('00-b')),
      fetcher(url, traced('00-c', { 'accept-language': 'de' })),
    ]);
    expect(received.map((r) => r.authorization ?? 'anonymous').sort()).toEqual([
      'Bearer ada',
      'Bearer ada',
      'Bearer bob',
      'anonymous',
      'anonymous',
    ]);
    await client.close();
  });

  it('keeps connections alive between requests and reports error statuses to the caller', async () => {
    const client = new SubgraphHttpClient();
    const fetcher = subgraphFetcher(client);
    received.length = 0;
    for (let i = 0; i < 10; i += 1)
      await fetcher(url, { method: 'POST', headers: {}, body: query(`query Q${i} { q }`) });
    // undici may open a second connection while the first is being released; never one per request.
    expect(new Set(received.map((r) => r.socket)).size).toBeLessThanOrEqual(2);
    const failed = await fetcher(url, { method: 'POST', headers: {}, body: query('query F { fail }') });
    expect({ ok: failed.ok, status: failed.status }).toEqual({ ok: false, status: 503 });
    await client.close();
  });

  it('aborts a request when the caller’s signal fires (the edge’s per-attempt timeout)', async () => {
    const client = new SubgraphHttpClient();
    const fetcher = subgraphFetcher(client);
    const attempt = fetcher(url, {
      method: 'POST',
      headers: {},
      body: query('query Slow { s }'),
      signal: AbortSignal.timeout(5),
    });
    // The abort (the signal's timeout), not a connection error: without it the server answers at 30 ms.
    await expect(attempt).rejects.toMatchObject({ name: expect.stringMatching(/^(TimeoutError|AbortError)$/) });
    await client.close();
  });
});
