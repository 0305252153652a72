/**
 * Child process of bench/subscriptions.ts: holds a share of the subscribers, so that the gateway's
 * process holds only the gateway (and the subgraphs). Protocol over IPC:
 *   parent → { kind: 'open', url, count, query, batch }  child → { kind: 'opened' } once all are acknowledged
 *   child → { kind: 'event', index, at[] } for each event index once every client received it
 *   parent → { kind: 'close' }
 * Times are wall-clock milliseconds (performance.timeOrigin + performance.now()), comparable across processes.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

interface Open {
  kind: 'open';
  url: string;
  count: number;
  query: string;
  batch: number;
  /** Client i sends tokens[i % tokens.length] in connection_init; none when empty (anonymous). */
  tokens: string[];
}

const now = () => performance.timeOrigin + performance.now();
const clients: Client[] = [];
const arrivals = new Map<number, number[]>();
let count = 0;

function received(index: number): void {
  const times = arrivals.get(index) ?? [];
  times.push(now());
  arrivals.set(index, times);
  if (times.length === count) {
    process.send!({ kind: 'event', index, at: times });
    arrivals.delete(index);
  }
}

async function open({ url, count: n, query, batch, tokens }: Open): Promise<void> {
  count = n;
  for (let start = 0; start < n; start += batch) {
    // Opened in batches, each acknowledged before the next, so the gateway's connection_init timeout
    // measures the gateway and not a burst of 10,000 handshakes queued behind each other.
    await Promise.all(
      Array.from({ length: Math.min(batch, n - start) }, (_, offset) => {
        let seen = 0;
        const token = tokens.length ? tokens[(start + offset) % tokens.length] : undefined;
        return new Promise<void>((resolve, reject) => {
          const client = createClient({
            url,
            webSocketImpl: WebSocket,
            retryAttempts: 0,
            lazy: false,
            connectionParams: token ? { authorization: `Bearer ${token}` } : {},
          });
          clients.push(client);
          client.on('connected', () => resolve());
          client.on('closed', (event) => reject(new Error(`closed: ${(event as { code?: number }).code}`)));
          client.subscribe(
            { query },
            {
              next: () => received(seen++),
              error: (error) => process.send!({ kind: 'error', message: String((error as Error).message ?? error) }),
              complete: () => undefined,
            },
          );
        });
      }),
    );
  }
  process.send!({ kind: 'opened' });
}

process.on('message', (message: Open | { kind: 'close' }) => {
  if (message.kind === 'open') {
    open(message).catch((error: unknown) => process.send!({ kind: 'error', message: String(error) }));
  } else {
    void Promise.all(clients.map((client) => client.dispose())).then(() => process.exit(0));
  }
});
