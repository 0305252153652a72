/**
 * Many subscribers on the gateway: N graphql-ws clients subscribe to postCreated (fields from content,
 * users and moderation), then posts are created and the time from the mutation's response to each
 * client's event is recorded. Reports memory per subscriber (process RSS and heap growth: this process
 * also hosts the clients and the subgraphs, so it is an upper bound for the gateway), delivery latency
 * p50/p99 to the last client, and events delivered per second.
 *   BENCH_SUBSCRIBERS=1000 npm run bench:subscriptions
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createLogger } from '@supergraph/logger';
import { startStack } from '@supergraph/stack';

const N = Number(process.env.BENCH_SUBSCRIBERS ?? 1_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 5);
const stack = await startStack({
  logger: createLogger({ service: 'bench', level: 'error' }),
  gatewayPort: 0,
  websocket: { maxSubscriptionsPerSubject: N + 10 },
});
const clients: Client[] = [];
try {
  const token = await stack.devIssuer!.mintToken('alice');
  await fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ me { id } }' }),
  });
  global.gc?.();
  const before = process.memoryUsage();
  const arrivals: number[][] = Array.from({ length: EVENTS }, () => []);
  let received = 0;
  const opened = performance.now();
  for (let i = 0; i < N; i += 1) {
    const client = createClient({
      url: stack.gatewayUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    clients.push(client);
    let seen = 0;
    client.subscribe(
      { query: 'subscription { postCreated { title author { handle } moderation { status } } }' },
      {
        next: () => {
          arrivals[seen]?.push(performance.now());
          seen += 1;
          received += 1;
        },
        error: (error) => console.error('subscription error', error),
        complete: () => undefined,
      },
    );
  }
  while (stack.gateway.subscriptions.active() < N) await new Promise((resolve) => setTimeout(resolve, 50));
  const openSeconds = (performance.now() - opened) / 1000;
  global.gc?.();
  const after = process.memoryUsage();

  const latencies: number[] = [];
  const started = performance.now();
  for (let event = 0; event < EVENTS; event += 1) {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: `mutation { createPost(input: { title: "bench ${event}", body: "x" }) { id } }` }),
    });
    const committed = performance.now();
    if (!response.ok) throw new Error(`createPost failed: ${response.status}`);
    const deadline = Date.now() + 30_000;
    while (arrivals[event]!.length < N && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    if (arrivals[event]!.length < N)
      throw new Error(`event ${event}: only ${arrivals[event]!.length} of ${N} subscribers received it`);
    const times = arrivals[event]!.map((t) => t - committed).sort((a, b) => a - b);
    latencies.push(...times);
  }
  const totalSeconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(0);
  const perSubscriber = (bytes: number) => `${(bytes / N / 1024).toFixed(1)} KB`;
  console.log(
    `\n${N} subscribers (one graphql-ws connection each), ${EVENTS} events; connected in ${openSeconds.toFixed(1)} s`,
  );
  console.log(
    `memory per subscriber: RSS +${perSubscriber(after.rss - before.rss)}, heap +${perSubscriber(after.heapUsed - before.heapUsed)} (clients, gateway and subgraphs in this one process)`,
  );
  console.log(
    `delivery latency from the mutation's response: p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${latencies.at(-1)!.toFixed(0)} ms`,
  );
  console.log(
    `events delivered: ${received} in ${totalSeconds.toFixed(1)} s (${Math.round(received / totalSeconds)}/s)`,
  );
} finally {
  await Promise.all(clients.map((client) => client.dispose()));
  await stack.stop();
}
