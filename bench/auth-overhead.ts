/**
 * What token verification adds to a request: the same federated query (gateway → users → billing)
 * sent anonymously and with a bearer token, in one run on the embedded stack, plus the verifier alone.
 *   npm run bench:auth
 * The stack runs in this process; autocannon runs in the same process too, so compare the two rows
 * of one run (ratios), not absolute numbers across machines.
 */
import autocannon from 'autocannon';
import { createTokenVerifier } from '@supergraph/auth';
import { createLogger } from '@supergraph/logger';
import { startStack, seedDemoData } from '@supergraph/stack';

const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const logger = createLogger({ service: 'bench', level: 'error' });
const stack = await startStack({ logger, gatewayPort: 0 });
try {
  await seedDemoData(stack.gatewayUrl, stack.devIssuer!.tokenUrl);
  const token = await stack.devIssuer!.mintToken('alice');
  const body = JSON.stringify({ query: '{ users(first: 3) { edges { node { handle subscription { plan } } } } }' });

  // The verifier alone, one core, before any load: a signature check (cache off) and a repeat (cache hit).
  const perVerifyUs = async (cacheSize: number) => {
    const verifier = createTokenVerifier({ issuer: stack.issuer, cacheSize });
    await verifier.verify(token);
    const n = 5_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i += 1) await verifier.verify(token);
    return ((performance.now() - t0) * 1000) / n;
  };
  const uncachedUs = await perVerifyUs(0);
  const cachedUs = await perVerifyUs(10_000);

  const load = (headers: Record<string, string>) =>
    autocannon({
      url: stack.gatewayUrl,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      connections: CONNECTIONS,
      duration: DURATION,
    });
  await load({}); // warm-up: JIT, pools, query plan cache, JWKS
  // Alternating rounds, median of each: this VM's noise between runs is larger than the effect.
  const anonymousRuns: autocannon.Result[] = [];
  const tokenRuns: autocannon.Result[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    anonymousRuns.push(await load({}));
    tokenRuns.push(await load({ authorization: `Bearer ${token}` }));
  }
  const median = (runs: autocannon.Result[]) =>
    [...runs].sort((a, b) => a.requests.average - b.requests.average)[runs.length >> 1]!;
  const anonymous = median(anonymousRuns);
  const authenticated = median(tokenRuns);
  if ([...anonymousRuns, ...tokenRuns].some((run) => run.non2xx || run.errors))
    throw new Error('failed responses during the run');

  const row = (name: string, r: autocannon.Result) =>
    `| ${name} | ${r.requests.average.toFixed(0)} | ${r.latency.p50} | ${r.latency.p99} |`;
  console.log(
    `\n${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${DURATION} s, median round; the query touches 3 services (each verifies the token)\n`,
  );
  console.log('| mode | req/s | p50 ms | p99 ms |\n|---|---|---|---|');
  console.log(row('anonymous', anonymous));
  console.log(row('bearer token', authenticated));
  console.log(
    `\nthroughput ratio (token / anonymous): ${(authenticated.requests.average / anonymous.requests.average).toFixed(3)}; ` +
      `mean latency added: ${(authenticated.latency.mean - anonymous.latency.mean).toFixed(2)} ms`,
  );
  console.log(
    `verifier alone: ${uncachedUs.toFixed(1)} µs per signature check (${Math.round(1e6 / uncachedUs)} /s on one core); ${cachedUs.toFixed(2)} µs for a token verified before`,
  );
} finally {
  await stack.stop();
}
