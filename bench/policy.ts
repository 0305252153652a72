/**
 * Policy decisions: decisions per second on one core (the engine alone), and what `@policy` adds to a
 * request that touches 50 policy-guarded fields, against the same subgraph without the directive.
 *   npm run bench:policy
 * Runs with NODE_ENV=production (as deployments do): graphql-js's development-mode checks would
 * otherwise dominate both variants.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { parse } from 'graphql';
import { InProcessBus } from '@supergraph/events';
import { createDatabase, startEmbeddedPostgres } from '@supergraph/local-infra';
import { createLogger } from '@supergraph/logger';
import { PolicyEngine, type PolicyInput } from '@supergraph/policy';
import { createSubgraphServer, defineSubgraph, type SubgraphContext } from '@supergraph/subgraph-kit';

const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const FIELDS = 50;
const quiet = createLogger({ service: 'bench', level: 'silent' });
const engine = new PolicyEngine({
  logger: quiet,
  signature: { publicKeyPem: readFileSync('policies/keys/dev-bundle-signing.pub.pem', 'utf8') },
});
await engine.loadBundle(readFileSync('policies/bundles/supergraph.tar.gz'));

// 1. The engine alone, one core (decision logging on, at a level that drops the lines, as in production at `warn`).
const input: PolicyInput = {
  subject: { sub: 'u1', userId: 'u1', roles: ['user'], scopes: [], clientId: 'supergraph-web', plan: null },
  operation: { type: 'query', name: 'Bench' },
  field: { parentType: 'Item', name: 'value', path: ['items', 0, 'value'] },
  arguments: {},
  resource: { id: 'u1' },
};
const rates: Record<string, number> = {};
for (const entrypoint of [
  'supergraph/users/profile/decision',
  'supergraph/content/post/read',
  'supergraph/partner/scope/decision',
]) {
  const n = 200_000;
  for (let i = 0; i < 5_000; i += 1) engine.decide(entrypoint, input);
  const t0 = performance.now();
  for (let i = 0; i < n; i += 1) engine.decide(entrypoint, input);
  rates[entrypoint] = n / ((performance.now() - t0) / 1000);
}

// 2. A query touching 50 guarded fields, with and without @policy, same server code otherwise.
const sdl = (guarded: boolean) => `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@policy"])
  type Item { id: ID! value: String ${guarded ? '@policy(policies: [["supergraph/content/post/read"]])' : ''} }
  type Query { items: [Item!]! }`;
const items = Array.from({ length: FIELDS }, (_, i) => ({ id: `u${i}`, value: `v${i}` }));
const postgres = await startEmbeddedPostgres();
const servers = [];
try {
  const urls: Record<string, string> = {};
  for (const guarded of [false, true]) {
    const server = await createSubgraphServer(
      defineSubgraph({
        name: guarded ? 'guarded' : 'plain',
        typeDefs: parse(sdl(guarded)),
        // A realistic request reads its rows from PostgreSQL.
        resolvers: {
          Query: {
            items: async (_: unknown, __: unknown, ctx: SubgraphContext) => {
              const rows = await ctx.em
                .getConnection()
                .execute<{ n: number }[]>('select n from generate_series(0, ?) as n', [FIELDS - 1]);
              return rows.map(({ n }) => items[n]!);
            },
          },
        },
        entities: [],
        migrations: [],
        policyResources: { Item: (item: { id: string }) => ({ authorId: item.id, status: 'VISIBLE', premium: false }) },
      }),
      {
        databaseUrl: await createDatabase(postgres.url, 'bench'),
        bus: new InProcessBus(),
        logger: quiet,
        policy: engine,
      },
    );
    servers.push(server);
    urls[guarded ? 'guarded' : 'plain'] = (await server.start({ port: 0 })).url;
  }
  const body = JSON.stringify({ query: 'query Bench { items { id value } }' });
  const load = (url: string) =>
    autocannon({
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      connections: 10,
      duration: DURATION,
    });
  await load(urls.plain!);
  await load(urls.guarded!);
  const runs: Record<string, autocannon.Result[]> = { plain: [], guarded: [] };
  for (let round = 0; round < ROUNDS; round += 1) {
    runs.plain!.push(await load(urls.plain!));
    runs.guarded!.push(await load(urls.guarded!));
  }
  const median = (list: autocannon.Result[]) =>
    [...list].sort((a, b) => a.requests.average - b.requests.average)[list.length >> 1]!;
  const plain = median(runs.plain!);
  const guarded = median(runs.guarded!);
  if ([...runs.plain!, ...runs.guarded!].some((r) => r.non2xx || r.errors)) throw new Error('failed requests');
  const check = await (
    await fetch(urls.guarded!, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  ).json();
  if (JSON.stringify(check).includes('"errors"'))
    throw new Error(`policy denied: ${JSON.stringify(check).slice(0, 300)}`);

  console.log('\nengine alone, one core:');
  for (const [entrypoint, rate] of Object.entries(rates))
    console.log(`  ${entrypoint}: ${Math.round(rate).toLocaleString('en')} decisions/s`);
  console.log(
    `\n${FIELDS} @policy fields per request (public posts: every decision evaluates, and allows), 10 connections, median of ${ROUNDS} rounds of ${DURATION} s`,
  );
  console.log('| variant | req/s | mean ms | p99 ms |\n|---|---|---|---|');
  for (const [name, r] of [
    ['without @policy', plain],
    ['with @policy', guarded],
  ] as const) {
    console.log(`| ${name} | ${r.requests.average.toFixed(0)} | ${r.latency.mean.toFixed(2)} | ${r.latency.p99} |`);
  }
  console.log(
    `policy share of request time: ${(((guarded.latency.mean - plain.latency.mean) / guarded.latency.mean) * 100).toFixed(1)}% ` +
      `(throughput ratio ${(guarded.requests.average / plain.requests.average).toFixed(3)})`,
  );
} finally {
  for (const server of servers) await server.stop();
  await postgres.stop();
}
