/**
 * Many subscribers on the gateway: N graphql-ws clients, held by child processes, subscribe to
 * postCreated (fields from content, users and moderation); posts are then created through the gateway
 * and the time from each mutation's response to every client's event is recorded. This process runs
 * the whole stack (gateway and subgraphs) and none of the clients, so its memory growth per subscriber
 * is the gateway's cost of a subscriber (the subscribers share one upstream subscription).
 *   BENCH_SUBSCRIBERS=10000 npm run bench:subscriptions
 * Options (env): BENCH_SUBSCRIBERS (1000), BENCH_EVENTS (5), BENCH_CLIENT_PROCESSES (2),
 * BENCH_CONNECT_BATCH (250 connections acknowledged per batch and process), BENCH_IDENTITIES (0:
 * anonymous subscribers, who share one upstream subscription; K > 0: subscribers signed in as K
 * distinct users round-robin, so the gateway runs K upstream subscriptions and K plan executions per event).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createLogger } from '@supergraph/logger';
import { startStack } from '@supergraph/stack';

const N = Number(process.env.BENCH_SUBSCRIBERS ?? 1_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 5);
const PROCESSES = Number(process.env.BENCH_CLIENT_PROCESSES ?? 2);
const BATCH = Number(process.env.BENCH_CONNECT_BATCH ?? 250);
const IDENTITIES = Number(process.env.BENCH_IDENTITIES ?? 0);
const QUERY = 'subscription { postCreated { title author { handle } moderation { status } } }';

type FromChild =
  { kind: 'opened' } | { kind: 'event'; index: number; at: number[] } | { kind: 'error'; message: string };

const now = () => performance.timeOrigin + performance.now();
const stack = await startStack({
  logger: createLogger({ service: 'bench', level: 'error' }),
  gatewayPort: 0,
  websocket: { maxSubscriptionsPerSubject: N + 10 },
});
const children: ChildProcess[] = [];
try {
  const token = await stack.devIssuer!.mintToken('alice');
  const post = (query: string) =>
    fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
    });
  await post('{ me { id } }');
  const tokens = await Promise.all(
    // alice's roles under K distinct subjects: K callers whose subscriptions cannot be shared.
    Array.from({ length: IDENTITIES }, () => stack.devIssuer!.mintToken('alice', undefined, { sub: randomUUID() })),
  );
  global.gc?.();
  const before = process.memoryUsage();

  const arrivals: number[][] = Array.from({ length: EVENTS }, () => []);
  let opened = 0;
  const errors: string[] = [];
  const connectStarted = now();
  for (let i = 0; i < PROCESSES; i += 1) {
    const count = Math.floor(N / PROCESSES) + (i < N % PROCESSES ? 1 : 0);
    const child = fork(new URL('./subscription-clients.ts', import.meta.url), {
      execArgv: ['--conditions=development', '--import', 'tsx'],
    });
    children.push(child);
    child.on('message', (message: FromChild) => {
      if (message.kind === 'opened') opened += 1;
      else if (message.kind === 'event') arrivals[message.index]?.push(...message.at);
      else errors.push(message.message);
    });
    child.send({
      kind: 'open',
      url: stack.gatewayUrl.replace(/^http/, 'ws'),
      count,
      query: QUERY,
      batch: BATCH,
      tokens,
    });
  }
  const connectDeadline = Date.now() + 600_000;
  while ((opened < PROCESSES || stack.gateway.subscriptions.active() < N) && errors.length === 0) {
    if (Date.now() > connectDeadline) throw new Error(`only ${stack.gateway.subscriptions.active()} subscribed`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (errors.length) throw new Error(`client errors: ${errors.slice(0, 3).join('; ')}`);
  const connectSeconds = (now() - connectStarted) / 1000;
  global.gc?.();
  const after = process.memoryUsage();

  const latencies: number[] = [];
  const started = now();
  for (let event = 0; event < EVENTS; event += 1) {
    const response = await post(`mutation { createPost(input: { title: "bench ${event}", body: "x" }) { id } }`);
    const committed = now();
    if (!response.ok) throw new Error(`createPost failed: ${response.status}`);
    const deadline = Date.now() + 60_000;
    while (arrivals[event]!.length < N && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    if (arrivals[event]!.length < N)
      throw new Error(`event ${event}: only ${arrivals[event]!.length} of ${N} subscribers received it`);
    const times = arrivals[event]!.map((t) => t - committed);
    latencies.push(...times);
  }
  const totalSeconds = (now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(0);
  const perSubscriber = (bytes: number) => `${(bytes / N / 1024).toFixed(1)} KB`;
  console.log(
    `\n${N} subscribers (${IDENTITIES ? `${IDENTITIES} users` : 'anonymous'}, one graphql-ws connection each, in ${PROCESSES} client processes), ${EVENTS} events; all subscribed in ${connectSeconds.toFixed(1)} s`,
  );
  console.log(
    `gateway process memory per subscriber: RSS +${perSubscriber(after.rss - before.rss)}, heap +${perSubscriber(after.heapUsed - before.heapUsed)} (gateway and subgraphs; no clients)`,
  );
  console.log(
    `delivery latency from the mutation's response to each client: p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${latencies.at(-1)!.toFixed(0)} ms`,
  );
  console.log(
    `events delivered: ${N * EVENTS} in ${totalSeconds.toFixed(1)} s (${Math.round((N * EVENTS) / totalSeconds)}/s)`,
  );
} finally {
  for (const child of children) child.send({ kind: 'close' });
  await Promise.all(
    children.map(
      (child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.on('exit', resolve))),
    ),
  );
  await stack.stop();
}
