/**
 * The persisted path against the freeform path on the same operation, through the gateway of the
 * embedded stack: the body sent every time (freeform POST) against automatic persisted queries that
 * send only the hash (POST and CDN-style GET). Same run, alternating rounds, median round.
 *   npm run bench:pq
 */
import { createHash } from 'node:crypto';
import autocannon from 'autocannon';
import { createLogger } from '@supergraph/logger';
import { seedDemoData, startStack } from '@supergraph/stack';

const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const query = `query Feed {
  users(first: 10) {
    edges {
      node {
        handle
        displayName
        posts(first: 3) {
          edges {
            node {
              title
              tags
            }
          }
        }
      }
    }
  }
}`;
const stack = await startStack({ logger: createLogger({ service: 'bench', level: 'error' }), gatewayPort: 0 });
try {
  await seedDemoData(stack.gatewayUrl, stack.devIssuer!.tokenUrl);
  const hash = createHash('sha256').update(query).digest('hex');
  const extensions = { persistedQuery: { version: 1, sha256Hash: hash } };
  // Register once, as Apollo Client's link does after its first miss.
  const registered = await fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, extensions }),
  });
  if (!registered.ok) throw new Error(`registration failed: ${registered.status}`);
  const json = { 'content-type': 'application/json' };
  const variants: [string, autocannon.Options][] = [
    [
      'freeform POST (body every time)',
      { url: stack.gatewayUrl, method: 'POST', headers: json, body: JSON.stringify({ query }) },
    ],
    [
      'APQ POST (hash only)',
      { url: stack.gatewayUrl, method: 'POST', headers: json, body: JSON.stringify({ extensions }) },
    ],
    [
      'APQ GET (hash only)',
      {
        url: `${stack.gatewayUrl}?extensions=${encodeURIComponent(JSON.stringify(extensions))}`,
        method: 'GET',
        headers: { 'apollo-require-preflight': 'true' },
      },
    ],
  ];
  const runs = new Map<string, autocannon.Result[]>(variants.map(([name]) => [name, []]));
  for (const [, options] of variants) await autocannon({ ...options, connections: 10, duration: 2 }); // warm-up
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [name, options] of variants)
      runs.get(name)!.push(await autocannon({ ...options, connections: 10, duration: DURATION }));
  }
  const median = (list: autocannon.Result[]) =>
    [...list].sort((a, b) => a.requests.average - b.requests.average)[list.length >> 1]!;
  if ([...runs.values()].flat().some((r) => r.non2xx || r.errors)) throw new Error('failed requests during the run');
  const base = median(runs.get(variants[0]![0])!);
  console.log(
    `\n10 connections, median of ${ROUNDS} rounds of ${DURATION} s; request body ${JSON.stringify({ query }).length} B vs ${JSON.stringify({ extensions }).length} B`,
  );
  console.log('| path | req/s | p50 ms | p99 ms | req/s vs freeform |\n|---|---|---|---|---|');
  for (const [name] of variants) {
    const r = median(runs.get(name)!);
    console.log(
      `| ${name} | ${r.requests.average.toFixed(0)} | ${r.latency.p50} | ${r.latency.p99} | ${(r.requests.average / base.requests.average).toFixed(3)} |`,
    );
  }
} finally {
  await stack.stop();
}
