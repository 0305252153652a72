/**
 * Production entry point: `node dist/cluster.js` runs `GATEWAY_WORKERS` gateway processes
 * (`index.js`) under node:cluster, sharing one port, and replaces a worker that dies. Default: one
 * worker per core the process may use (`os.availableParallelism()`).
 *
 * Workers start with a larger V8 young generation (`--max-semi-space-size`, `GATEWAY_SEMI_SPACE_MB`,
 * default 32; 0 keeps V8's default): a federated request allocates a lot of short-lived objects
 * (subgraph responses, merged results, the serialised response), and with V8's default semi-space
 * of 16 MB a quarter of a busy worker's CPU went to scavenges (16% with 32 MB; see
 * docs/gateway-performance.md). V8 reads the flag only at start, which is why even one worker runs as
 * a child of this supervisor.
 *
 * The gateway holds no state workers must share: query plans, parsed documents and connection pools
 * are per worker; APQ entries and the denylist live in Redis when it is configured. SIGTERM/SIGINT are
 * passed to every worker, each drains and exits, then the supervisor exits.
 */
import cluster from 'node:cluster';
import os from 'node:os';
import { env, loadConfig } from '@supergraph/config';

if (cluster.isPrimary) {
  const config = loadConfig({
    GATEWAY_WORKERS: env.optional(env.int({ min: 1, description: 'gateway worker processes (default: one per core)' })),
    GATEWAY_SEMI_SPACE_MB: env.int({ default: 32, min: 0, max: 1024, description: 'V8 semi-space of each worker, MB' }),
  });
  const workers = config.GATEWAY_WORKERS ?? os.availableParallelism();
  const semiSpace = config.GATEWAY_SEMI_SPACE_MB;
  const execArgv = process.execArgv.some((arg) => arg.startsWith('--max-semi-space-size'))
    ? process.execArgv
    : [...process.execArgv, ...(semiSpace > 0 ? [`--max-semi-space-size=${semiSpace}`] : [])];
  cluster.setupPrimary({ execArgv });

  let stopping = false;
  const served = new Set<number>();
  for (let i = 0; i < workers; i += 1) cluster.fork();
  cluster.on('listening', (worker) => served.add(worker.id));
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit();
      return;
    }
    // One that never listened failed to start (configuration, supergraph): restarting would loop.
    if (!served.has(worker.id)) {
      stop('SIGTERM');
      process.exitCode = code ?? 1;
      return;
    }
    console.error(
      JSON.stringify({
        level: 'error',
        msg: 'gateway worker died; starting another',
        pid: worker.process.pid,
        code,
        signal,
      }),
    );
    cluster.fork();
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
} else {
  await import('./index.js');
}
