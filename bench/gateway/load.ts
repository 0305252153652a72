/**
 * A closed-loop load generator on undici: `connections` loops, each sends its next request when the
 * previous answer is complete, and every answer is verified. Verification is cheap on the hot path:
 * an answer byte-identical to the target's first verified answer passes at once; any other answer
 * is parsed and compared with the expected result structurally.
 */
import { Pool } from 'undici';

export interface Exchange {
  readonly origin: string;
  readonly path: string;
  readonly body: string;
  /** Decides whether an answer that differs from the remembered bytes is still right. */
  readonly verify: (body: Buffer) => boolean;
}

export interface LoadResult {
  readonly requests: number;
  readonly failures: number;
  readonly seconds: number;
  /** Latencies of completed requests, ms, sorted. */
  readonly latencies: Float64Array;
  readonly firstFailure?: string;
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Runs `connections` loops for `seconds`; one iteration sends every exchange of `exchanges` at once
 * (a gateway target has one; the subgraphs-direct target replays a query's subgraph fetches).
 */
export async function runLoad(
  exchanges: readonly Exchange[],
  options: { connections: number; seconds: number },
): Promise<LoadResult> {
  const pools = new Map<string, Pool>();
  for (const { origin } of exchanges)
    if (!pools.has(origin)) pools.set(origin, new Pool(origin, { connections: options.connections, pipelining: 1 }));
  const known = exchanges.map(() => undefined as Buffer | undefined);
  const latencies: number[] = [];
  let requests = 0;
  let failures = 0;
  let firstFailure: string | undefined;
  const fail = (why: string) => {
    failures += 1;
    firstFailure ??= why;
  };

  const send = async (index: number): Promise<boolean> => {
    const exchange = exchanges[index]!;
    const { statusCode, body } = await pools.get(exchange.origin)!.request({
      path: exchange.path,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: exchange.body,
    });
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    if (statusCode !== 200) {
      fail(`HTTP ${statusCode}: ${bytes.toString('utf8').slice(0, 300)}`);
      return false;
    }
    const remembered = known[index];
    if (remembered?.equals(bytes)) return true;
    if (!exchange.verify(bytes)) {
      fail(`wrong answer: ${bytes.toString('utf8').slice(0, 300)}`);
      return false;
    }
    known[index] ??= bytes;
    return true;
  };

  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      const begin = performance.now();
      try {
        const outcomes = await Promise.all(exchanges.map((_, index) => send(index)));
        if (outcomes.every(Boolean)) {
          requests += 1;
          latencies.push(performance.now() - begin);
        }
      } catch (error) {
        fail(`request failed: ${(error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, loop));
  const seconds = (performance.now() - started) / 1000;
  await Promise.all([...pools.values()].map((pool) => pool.close()));
  const sorted = Float64Array.from(latencies).sort();
  return { requests, failures, seconds, latencies: sorted, ...(firstFailure ? { firstFailure } : {}) };
}
