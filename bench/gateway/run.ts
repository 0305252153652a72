/**
 * Gateway benchmark on the public scenario of The Guild's federation gateway benchmark (four
 * subgraphs, the deeply nested TestQuery), side by side in one run:
 *   subgraphs directly · stock @apollo/gateway + @apollo/server · Hive Gateway · this gateway
 * every response verified, each gateway with the same number of worker processes.
 *
 *   npm run bench:gateway -- [--duration 10] [--warmup 3] [--connections 50] [--workers 1]
 *                            [--rounds 1] [--targets subgraphs,apollo,hive,supergraph] [--cpu-prof DIR]
 *
 * Prints a markdown table: requests/s, p50/p99 latency, CPU per request of the gateway's processes
 * and of the subgraphs, subgraph fetches per request, ratios to stock @apollo/gateway.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { percentile, runLoad, type Exchange, type LoadResult } from './load.js';
import { composeSupergraph, expectedResult, sameJson } from './scenario.js';
import { TEST_QUERY } from './subgraphs/data.js';
import { SUBGRAPH_NAMES, type SubgraphName } from './subgraphs/resolvers.js';

const here = import.meta.dirname;
const root = path.resolve(here, '../..');
const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    workers: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '1' },
    targets: { type: 'string', default: 'subgraphs,apollo,hive,supergraph' },
    'cpu-prof': { type: 'string' },
  },
  strict: true,
});
const seconds = Number(flags.duration);
const warmup = Number(flags.warmup);
const connections = Number(flags.connections);
const workers = Number(flags.workers);
const rounds = Number(flags.rounds);
const selected = flags.targets.split(',');

type TargetId = 'subgraphs' | 'apollo' | 'hive' | 'supergraph';
const LABELS: Record<TargetId, string> = {
  subgraphs: 'subgraphs directly (no gateway)',
  apollo: 'stock @apollo/gateway 2.14 + @apollo/server 5',
  hive: 'Hive Gateway 2.15 (@graphql-hive/gateway)',
  supergraph: 'this gateway (gateway/, createGateway)',
};

// ---------- processes ----------
const children: ChildProcess[] = [];
const stopAll = () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
};
process.on('exit', stopAll);
process.on('SIGINT', () => process.exit(130));

function track(child: ChildProcess, name: string): ChildProcess {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  child.on('exit', (code, signal) => {
    if (code !== 0 && code !== null && signal === null) console.error(`${name} exited with ${code}:\n${stderr}`);
  });
  children.push(child);
  return child;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startSubgraph(name: SubgraphName): Promise<{ url: string; pid: number }> {
  const child = track(
    fork(path.join(here, 'subgraphs/server.ts'), [name, '0'], {
      execArgv: ['--import', 'tsx'],
      cwd: root,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    }),
    `subgraph ${name}`,
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`subgraph ${name} exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}/graphql`, pid: child.pid! };
}

/** The peers' own package (Hive Gateway), installed with `npm ci` once per lockfile, outside the repo. */
function installPeers(): string {
  const lock = readFileSync(path.join(here, 'peers/package-lock.json'));
  const hash = createHash('sha256')
    .update(lock)
    .update(readFileSync(path.join(here, 'peers/package.json')))
    .digest('hex');
  const dir = path.join(os.homedir(), '.cache/supergraph/bench-peers', hash.slice(0, 16));
  const marker = path.join(dir, '.installed');
  if (!existsSync(marker)) {
    console.error(`installing the benchmark peers into ${dir} (npm ci)…`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const file of ['package.json', 'package-lock.json'])
      copyFileSync(path.join(here, 'peers', file), path.join(dir, file));
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    writeFileSync(marker, new Date().toISOString());
  }
  return dir;
}

function startTarget(
  id: Exclude<TargetId, 'subgraphs'>,
  supergraphPath: string,
  port: number,
  peers: string | undefined,
  scratch: string,
): ChildProcess {
  const stdio: ['ignore', 'ignore', 'pipe'] = ['ignore', 'ignore', 'pipe'];
  const env = { ...process.env, NODE_ENV: 'production' };
  if (id === 'apollo')
    return track(
      spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          path.join(here, 'targets/apollo-gateway.ts'),
          supergraphPath,
          String(port),
          String(workers),
        ],
        { cwd: root, env, stdio },
      ),
      id,
    );
  if (id === 'hive') {
    const bin = path.join(peers!, 'node_modules/@graphql-hive/gateway/dist/bin.js');
    return track(
      spawn(
        process.execPath,
        [bin, 'supergraph', supergraphPath, '--port', String(port), '--host', '127.0.0.1', '--fork', String(workers)],
        { cwd: scratch, env, stdio },
      ),
      id,
    );
  }
  const profile = flags['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(flags['cpu-prof'])] : [];

  return track(
    spawn(
      process.execPath,
      [...profile, '--conditions=development', '--import', 'tsx', path.join(root, 'gateway/src/cluster.ts')],
      {
        cwd: root,
        env: {
          ...env,
          PORT: String(port),
          SUPERGRAPH_PATH: supergraphPath,
          GATEWAY_WORKERS: String(workers),
          // Production requires an issuer; the benchmark's requests carry no token (anonymous), so it is never contacted.
          OIDC_ISSUER: 'http://127.0.0.1:9/realms/bench',
          // The whole load comes from one anonymous IP: a budget it cannot exhaust. The limiter still
          // counts every request (its cost is measured); only its refusals are out of the picture.
          RATE_LIMIT_ANONYMOUS: '1000000000',
        },
        stdio,
      },
    ),
    id,
  );
}

// ---------- measurement ----------
const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU seconds (user + system) used so far by a process and all its descendants. */
function treeCpuSeconds(pid: number): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the process ended meanwhile
    }
  }
  let ticks = 0;
  const pending = [pid];
  while (pending.length) {
    const current = pending.pop()!;
    ticks += stats.get(current)?.ticks ?? 0;
    for (const [child, { ppid }] of stats) if (ppid === current) pending.push(child);
  }
  return ticks / TICKS;
}

async function subgraphRequests(urls: readonly string[]): Promise<number> {
  const counts = await Promise.all(
    urls.map(async (url) => ((await (await fetch(new URL('/stats', url))).json()) as { requests: number }).requests),
  );
  return counts.reduce((a, b) => a + b, 0);
}

const expected = expectedResult();
const verifyAnswer = (body: Buffer): boolean => {
  try {
    const json = JSON.parse(body.toString('utf8')) as { errors?: unknown };
    return json.errors === undefined && sameJson(json, expected);
  } catch {
    return false;
  }
};

async function waitUntilServing(url: string, name: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: TEST_QUERY }),
      });
      const body = Buffer.from(await response.arrayBuffer());
      if (response.status === 200 && verifyAnswer(body)) return;
      last = `${response.status} ${body.toString('utf8').slice(0, 400)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${name} did not serve TestQuery correctly: ${last}`);
}

interface Row {
  readonly id: TargetId;
  readonly load: LoadResult;
  readonly gatewayCpu: number;
  readonly subgraphCpu: number;
  readonly fetches: number;
}

// ---------- run ----------
const loadBefore = os.loadavg()[0]!;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'bench-gateway-'));
const peers = selected.includes('hive') ? installPeers() : undefined;
const subgraphs = Object.fromEntries(
  await Promise.all(SUBGRAPH_NAMES.map(async (name) => [name, await startSubgraph(name)] as const)),
) as Record<SubgraphName, { url: string; pid: number }>;
const urls = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, subgraphs[name].url])) as Record<
  SubgraphName,
  string
>;
const supergraphPath = path.join(scratch, 'supergraph.graphql');
writeFileSync(supergraphPath, composeSupergraph(urls));

const gateways = selected.filter((id): id is Exclude<TargetId, 'subgraphs'> => id !== 'subgraphs');
const started = new Map<TargetId, { url: string; pid: number }>();
for (const id of new Set<Exclude<TargetId, 'subgraphs'>>(['apollo', ...gateways])) {
  const port = await freePort();
  const child = startTarget(id, supergraphPath, port, peers, scratch);
  const url = `http://127.0.0.1:${port}/graphql`;
  await waitUntilServing(url, LABELS[id]);
  started.set(id, { url, pid: child.pid! });
}

// The subgraphs-direct row replays the subgraph requests stock @apollo/gateway makes for one TestQuery.
const subgraphUrls = Object.values(urls);
await Promise.all(subgraphUrls.map((url) => fetch(new URL('/record?on=1', url))));
await waitUntilServing(started.get('apollo')!.url, 'apollo');
const recorded = (
  await Promise.all(
    subgraphUrls.map(
      async (url) =>
        (await (await fetch(new URL('/recorded', url))).json()) as {
          subgraph: SubgraphName;
          request: string;
          response: string;
        }[],
    ),
  )
).flat();
await Promise.all(subgraphUrls.map((url) => fetch(new URL('/record?on=0', url))));

const exchangesOf = (id: TargetId): Exchange[] => {
  if (id === 'subgraphs')
    return recorded.map(({ subgraph, request, response }) => {
      const url = new URL(urls[subgraph]);
      const want = JSON.parse(response) as unknown;
      return {
        origin: url.origin,
        path: url.pathname,
        body: request,
        verify: (body) => sameJson(JSON.parse(body.toString('utf8')), want),
      };
    });
  const url = new URL(started.get(id)!.url);
  return [
    { origin: url.origin, path: url.pathname, body: JSON.stringify({ query: TEST_QUERY }), verify: verifyAnswer },
  ];
};

const subgraphPids = SUBGRAPH_NAMES.map((name) => subgraphs[name].pid);
const runs = new Map<TargetId, Row[]>();
for (let round = 0; round < rounds; round += 1) {
  for (const id of selected as TargetId[]) {
    const exchanges = exchangesOf(id);
    if (warmup > 0) await runLoad(exchanges, { connections, seconds: warmup });
    const pid = started.get(id)?.pid;
    const cpu0 = pid ? treeCpuSeconds(pid) : 0;
    const sub0 = subgraphPids.reduce((sum, p) => sum + treeCpuSeconds(p), 0);
    const fetch0 = await subgraphRequests(subgraphUrls);
    const load = await runLoad(exchanges, { connections, seconds });
    const cpu1 = pid ? treeCpuSeconds(pid) : 0;
    const sub1 = subgraphPids.reduce((sum, p) => sum + treeCpuSeconds(p), 0);
    const fetch1 = await subgraphRequests(subgraphUrls);
    const per = Math.max(load.requests, 1);
    const row: Row = {
      id,
      load,
      gatewayCpu: ((cpu1 - cpu0) * 1000) / per,
      subgraphCpu: ((sub1 - sub0) * 1000) / per,
      fetches: (fetch1 - fetch0) / per,
    };
    runs.set(id, [...(runs.get(id) ?? []), row]);
    console.error(
      `round ${round + 1} ${id}: ${(load.requests / load.seconds).toFixed(0)} req/s, ${load.failures} failures`,
    );
    if (load.failures) console.error(`  first failure: ${load.firstFailure}`);
  }
}
stopAll();

// ---------- report ----------
const median = (rows: Row[]) =>
  [...rows].sort((a, b) => a.load.requests / a.load.seconds - b.load.requests / b.load.seconds)[rows.length >> 1]!;
const rows = (selected as TargetId[]).map((id) => median(runs.get(id)!));
const rps = (row: Row) => row.load.requests / row.load.seconds;
const base = rows.find((row) => row.id === 'apollo');
const cpus = os.cpus();
const failures = rows.reduce((sum, row) => sum + row.load.failures, 0);
console.log(
  `\n\`npm run bench:gateway -- --duration ${seconds} --warmup ${warmup} --connections ${connections} --workers ${workers} --rounds ${rounds}\``,
);
console.log(
  `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus.length} × ${cpus[0]?.model.trim()}, load average before the run ${loadBefore.toFixed(2)}; ${workers} worker process(es) per gateway, ${connections} connections, ${warmup} s warm-up + ${seconds} s per target${rounds > 1 ? `, median of ${rounds} rounds` : ''}; ${failures === 0 ? 'every response verified against the expected result' : `${failures} FAILED responses`}.\n`,
);
console.log(
  '| target | req/s | p50 ms | p99 ms | gateway CPU ms/req | subgraph CPU ms/req | subgraph fetches/req | req/s vs stock | p99 vs stock |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const row of rows) {
  const p50 = percentile(row.load.latencies, 50);
  const p99 = percentile(row.load.latencies, 99);
  const baseP99 = base ? percentile(base.load.latencies, 99) : NaN;
  const gatewayCpu = row.id === 'subgraphs' ? '–' : row.gatewayCpu.toFixed(2);
  console.log(
    `| ${LABELS[row.id]} | ${rps(row).toFixed(0)} | ${p50.toFixed(1)} | ${p99.toFixed(1)} | ${gatewayCpu} | ${row.subgraphCpu.toFixed(2)} | ${row.fetches.toFixed(1)} | ${base ? (rps(row) / rps(base)).toFixed(2) : '–'} | ${base ? (p99 / baseP99).toFixed(2) : '–'} |`,
  );
}
rmSync(scratch, { recursive: true, force: true });
process.exit(failures === 0 ? 0 : 1);
