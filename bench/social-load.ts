/**
 * Social load through the gateway of the whole stack (embedded PostgreSQL, a real Redis for events,
 * pub/sub, APQ and the denylist): BENCH_VUS virtual users, each a distinct signed-in person with its
 * own token and its own keep-alive HTTP connection, run a closed loop of 50% `feed`, 30% `createPost`
 * and 20% `likePost` against seeded data (BENCH_USERS users following BENCH_FOLLOWS others each,
 * BENCH_POSTS posts). Every response is checked (HTTP 200, no `errors`, the expected data); anything
 * else counts as an error. Reports throughput, p50/p95/p99 per operation and the error rate.
 *
 * Seeding writes the users and content schemas directly with SQL (generate_series) for speed: it
 * bypasses the event path (no `UserFollowed` / `PostCreated` is published), so content's follow read
 * model is filled from the same rows as users' follows, and search and moderation do not know the
 * seeded posts. The virtual users run in a child process, so the load generator has its own event
 * loop beside the stack's.
 *   npm run bench:social
 *   BENCH_VUS=100 BENCH_SECONDS=10 npm run bench:social   (a quick check of the harness)
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Stack } from '@supergraph/stack';

const env = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number`);
  return value;
};
const VUS = env('BENCH_VUS', 1_000);
const SECONDS = env('BENCH_SECONDS', 30);
const WARMUP_SECONDS = env('BENCH_WARMUP_SECONDS', 10);
const USERS = env('BENCH_USERS', 10_000);
const POSTS = env('BENCH_POSTS', 100_000);
const FOLLOWS = env('BENCH_FOLLOWS', 50);
/** Pause of a virtual user between its requests (0 = back to back). */
const THINK_MS = env('BENCH_THINK_MS', 0);
/**
 * `process`: the load goes to a gateway in its own process (gateway/src/cluster.ts, one worker, as deployed)
 * in front of the stack's subgraphs, instead of the stack's in-process gateway.
 */
const GATEWAY_PROCESS = process.env.BENCH_GATEWAY === 'process';

const OPERATIONS = {
  feed: {
    share: 0.5,
    query: 'query Feed { feed(first: 20) { edges { node { id title likeCount author { handle } } } } }',
  },
  createPost: {
    share: 0.3,
    query: 'mutation CreatePost($input: CreatePostInput!) { createPost(input: $input) { id title } }',
  },
  likePost: {
    share: 0.2,
    query: 'mutation LikePost($postId: ID!) { likePost(postId: $postId) { id likeCount } }',
  },
} as const;
type Operation = keyof typeof OPERATIONS;
const OPERATION_NAMES = Object.keys(OPERATIONS) as Operation[];

/** What the stack process hands the load process. */
interface LoadPlan {
  readonly gatewayUrl: string;
  readonly tokens: readonly string[];
  /** Seeded post ids that `likePost` picks from. */
  readonly postIds: readonly string[];
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly thinkMs: number;
}

interface OperationResult {
  readonly latencies: number[];
  errors: number;
}

/** What the load process reports: measured-window results per operation and error samples. */
interface LoadReport {
  readonly results: Record<Operation, OperationResult>;
  readonly errorSamples: Record<string, number>;
  readonly windowMs: number;
  readonly warmupRequests: number;
  readonly warmupErrors: number;
  /** Requests sent again after the server had closed their idle kept-alive connection (all phases). */
  readonly retries: number;
}

if (process.env.BENCH_ROLE === 'load') {
  process.once('message', (plan: LoadPlan) => {
    runLoad(plan).then(
      (report) => process.send!(report, () => process.exit(0)),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
} else {
  await runBenchmark();
}

// ---------------------------------------------------------------------------------------------
// Load process: the virtual users.

/** A request's failure, and whether it happened on a kept-alive connection the server may have closed. */
class RequestFailure extends Error {
  constructor(
    readonly original: Error,
    readonly reusedSocket: boolean,
  ) {
    super(original.message);
  }
}

/** One POST on the virtual user's own connection; resolves with the status and the body text. */
function post(agent: http.Agent, url: URL, token: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        response.on('error', reject);
      },
    );
    request.on('error', (error) => reject(new RequestFailure(error, request.reusedSocket)));
    request.end(body);
  });
}

/**
 * `post`, sent once more when a kept-alive connection turns out to have been closed by the server
 * while idle (ECONNRESET on a reused socket, before any response): the request never reached the
 * server, and browsers and HTTP clients retry it the same way (Node's documented pattern,
 * `request.reusedSocket`). Counted in `retries`; any other failure is an error.
 */
async function postWithStaleRetry(
  agent: http.Agent,
  url: URL,
  token: string,
  body: string,
  onRetry: () => void,
): Promise<{ status: number; text: string }> {
  try {
    return await post(agent, url, token, body);
  } catch (error) {
    const failure = error as RequestFailure;
    if (!failure.reusedSocket || (failure.original as NodeJS.ErrnoException).code !== 'ECONNRESET') throw error;
    onRetry();
    return post(agent, url, token, body);
  }
}

/** Why a response is not a success, or undefined when it is one. */
function problemOf(operation: Operation, status: number, text: string): string | undefined {
  if (status !== 200) return `${operation}: HTTP ${status} ${text.slice(0, 120)}`;
  let body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return `${operation}: body is not JSON`;
  }
  if (body.errors?.length) {
    const [first] = body.errors;
    return `${operation}: ${first?.extensions?.code ?? 'NO_CODE'} ${first?.message ?? ''}`;
  }
  const data = body.data?.[operation] as
    { edges?: { node?: { author?: { handle?: string } } }[]; id?: string; likeCount?: number } | undefined;
  if (!data) return `${operation}: no data`;
  switch (operation) {
    case 'feed':
      // Every virtual user follows users with posts, so a full page whose authors resolve (users).
      if (data.edges?.length !== 20 || !data.edges.every((edge) => typeof edge.node?.author?.handle === 'string'))
        return `feed: not 20 posts with their authors' handles`;
      return undefined;
    case 'createPost':
      return typeof data.id === 'string' ? undefined : 'createPost: no id';
    case 'likePost':
      return typeof data.id === 'string' && (data.likeCount ?? 0) >= 1 ? undefined : 'likePost: not liked';
  }
}

function pick(): Operation {
  let roll = Math.random();
  for (const name of OPERATION_NAMES) {
    roll -= OPERATIONS[name].share;
    if (roll < 0) return name;
  }
  return OPERATION_NAMES[0]!;
}

function requestBody(operation: Operation, vu: number, sequence: number, postIds: readonly string[]): string {
  const { query } = OPERATIONS[operation];
  switch (operation) {
    case 'feed':
      return JSON.stringify({ query });
    case 'createPost':
      return JSON.stringify({
        query,
        variables: {
          input: { title: `Load ${vu}.${sequence}`, body: `Written under load by virtual user ${vu}.`, tags: ['load'] },
        },
      });
    case 'likePost':
      return JSON.stringify({ query, variables: { postId: postIds[Math.floor(Math.random() * postIds.length)] } });
  }
}

async function runLoad(plan: LoadPlan): Promise<LoadReport> {
  const url = new URL(plan.gatewayUrl);
  const results = Object.fromEntries(
    OPERATION_NAMES.map((name): [Operation, OperationResult] => [name, { latencies: [], errors: 0 }]),
  ) as Record<Operation, OperationResult>;
  const errorSamples: Record<string, number> = {};
  let warmupRequests = 0;
  let warmupErrors = 0;
  let retries = 0;
  const started = performance.now();
  const measureFrom = started + plan.warmupMs;
  const end = measureFrom + plan.durationMs;

  const virtualUser = async (vu: number, token: string) => {
    // One connection per virtual user, kept alive between its requests. It is closed after 2 s idle,
    // well before the gateway's 5 s keep-alive timeout, so that a long pause reconnects rather than
    // racing the server's close (which the retry above covers when this process is too busy to notice).
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1, timeout: 2_000 });
    let sequence = 0;
    // Ramp-up: virtual users start spread over the warm-up rather than as one burst of BENCH_VUS.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * plan.warmupMs * 0.8));
    try {
      while (performance.now() < end) {
        const operation = pick();
        const body = requestBody(operation, vu, (sequence += 1), plan.postIds);
        const sent = performance.now();
        let problem: string | undefined;
        try {
          const { status, text } = await postWithStaleRetry(agent, url, token, body, () => (retries += 1));
          problem = problemOf(operation, status, text);
        } catch (error) {
          problem = `${operation}: ${(error as Error).message}`;
        }
        const took = performance.now() - sent;
        if (sent < measureFrom) {
          warmupRequests += 1;
          if (problem) warmupErrors += 1;
        } else if (sent < end) {
          const result = results[operation];
          result.latencies.push(took);
          if (problem) result.errors += 1;
        }
        if (problem) errorSamples[problem] = (errorSamples[problem] ?? 0) + 1;
        if (plan.thinkMs > 0) await new Promise((resolve) => setTimeout(resolve, plan.thinkMs * (0.5 + Math.random())));
      }
    } finally {
      agent.destroy();
    }
  };
  await Promise.all(plan.tokens.map((token, vu) => virtualUser(vu, token)));
  return { results, errorSamples, windowMs: plan.durationMs, warmupRequests, warmupErrors, retries };
}

// ---------------------------------------------------------------------------------------------
// Stack process: infrastructure, seed, tokens, report.

async function runBenchmark(): Promise<void> {
  const { createLogger } = await import('@supergraph/logger');
  const { startRedisServer } = await import('@supergraph/local-infra');
  const { startStack } = await import('@supergraph/stack');
  const loadBefore = formatLoad();
  const logger = createLogger({ service: 'bench', level: 'error' });
  const redis = await startRedisServer();
  const stack = await startStack({ logger, gatewayPort: 0, redisUrl: redis.url, redisKeyPrefix: 'bench:' }).catch(
    async (error: unknown) => {
      await redis.stop();
      throw error;
    },
  );
  let child: ChildProcess | undefined;
  let gateway: { url: string; stop(): Promise<void> } | undefined;
  try {
    if (GATEWAY_PROCESS) gateway = await gatewayProcess(stack, redis.url);
    const seedStarted = performance.now();
    const seeded = await seed(stack);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const issuer = stack.devIssuer!;
    // Distinct people: realm user `alice`'s roles (user) under each seeded profile's subject and
    // handle; valid for an hour so that no token expires during a run.
    const exp = Math.floor(Date.now() / 1000) + 3_600;
    const tokens = await Promise.all(
      seeded.vus.map((vu) =>
        issuer.mintToken('alice', 'supergraph-web', {
          sub: vu.id,
          preferred_username: vu.handle,
          name: vu.handle,
          exp,
        }),
      ),
    );
    const before = await counts(stack);
    child = fork(fileURLToPath(import.meta.url), [], {
      execArgv: ['--conditions=development', '--import', 'tsx'],
      env: { ...process.env, BENCH_ROLE: 'load' },
    });
    const reported = new Promise<LoadReport>((resolve, reject) => {
      child!.once('message', (report) => resolve(report as LoadReport));
      child!.once('exit', (code) => reject(new Error(`load process exited with ${code} before reporting`)));
    });
    const plan: LoadPlan = {
      gatewayUrl: gateway?.url ?? stack.gatewayUrl,
      tokens,
      postIds: seeded.postIds,
      warmupMs: WARMUP_SECONDS * 1000,
      durationMs: SECONDS * 1000,
      thinkMs: THINK_MS,
    };
    child.send(plan);
    const report = await reported;
    await stack.drainOutboxes();
    const after = await counts(stack);
    printReport(report, { seedSeconds, loadBefore, before, after });
  } finally {
    if (child?.exitCode === null) child.kill();
    await gateway?.stop();
    await stack.stop();
    await redis.stop();
  }
}

/**
 * The gateway as deployed, in its own process: the committed supergraph with the routing URLs of the
 * stack's subgraphs, the stack's issuer and Redis, rate limits off (all virtual users share one IP).
 */
async function gatewayProcess(stack: Stack, redisUrl: string): Promise<{ url: string; stop(): Promise<void> }> {
  const { REPO_ROOT } = await import('@supergraph/stack');
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-gateway-'));
  const supergraphPath = path.join(dir, 'supergraph.graphql');
  const sdl = readFileSync(path.join(REPO_ROOT, 'supergraph.graphql'), 'utf8').replace(
    /@join__graph\(name: "([a-z]+)", url: "[^"]+"\)/g,
    (_, name: string) =>
      `@join__graph(name: "${name}", url: "${stack.subgraphUrls[name as keyof Stack['subgraphUrls']]}")`,
  );
  writeFileSync(supergraphPath, sdl);
  const port = 20_000 + Math.floor(Math.random() * 10_000);
  const gateway = spawn(
    process.execPath,
    ['--conditions=development', '--import', 'tsx', path.join(REPO_ROOT, 'gateway/src/cluster.ts')],
    {
      env: {
        ...process.env,
        NODE_ENV: 'development',
        LOG_LEVEL: 'error',
        PORT: String(port),
        GATEWAY_WORKERS: '1',
        SUPERGRAPH_PATH: supergraphPath,
        OIDC_ISSUER: stack.issuer,
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: 'bench:',
        RATE_LIMIT: 'off',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}/graphql`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline || gateway.exitCode !== null) throw new Error('the gateway process did not start');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url,
    async stop() {
      const exited = new Promise((resolve) => gateway.once('exit', resolve));
      gateway.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `sql` on the subgraph's own connection (its schema is the subgraph's name). */
function sqlOf(stack: Stack, subgraph: 'users' | 'content') {
  const connection = stack.subgraphs[subgraph].orm.em.getConnection();
  return <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => connection.execute<T[]>(sql, params);
}

/**
 * BENCH_USERS profiles (`load_<n>`), each following BENCH_FOLLOWS others: user n follows users
 * n + k·stride (mod USERS) for k = 1…FOLLOWS, a bijection per k, so everyone also has exactly
 * FOLLOWS followers. Posts are spread evenly over the users, one a second back from now.
 */
async function seed(stack: Stack) {
  const users = sqlOf(stack, 'users');
  const content = sqlOf(stack, 'content');
  const stride = Math.floor(USERS / (FOLLOWS + 1));
  if (VUS > USERS || stride < 1) throw new Error('need BENCH_VUS ≤ BENCH_USERS and BENCH_FOLLOWS < BENCH_USERS');
  await users(
    `insert into "users"."user" (id, handle, display_name, created_at, updated_at, follower_count, following_count)
     select uuidv7(), 'load_' || n, 'Load user ' || n, now(), now(), ?, ? from generate_series(0, ? - 1) as n`,
    [FOLLOWS, FOLLOWS, USERS],
  );
  const numbered = `(select id, substr(handle, 6)::int as n from "users"."user" where handle like 'load\\_%')`;
  await users(
    `with u as materialized ${numbered}
     insert into "users"."follow" (id, follower_id, followee_id, created_at)
     select uuidv7(), a.id, b.id, now()
     from u a cross join generate_series(1, ?) as k join u b on b.n = (a.n + k * ?) % ?`,
    [FOLLOWS, stride, USERS],
  );
  // Content's read model of the same follows (what the UserFollowed events would have built).
  await content(
    `insert into "content"."follow" (follower_id, followee_id, active, changed_at)
     select follower_id, followee_id, true, created_at from "users"."follow"`,
  );
  await content(
    `insert into "content"."follow_count" (user_id, follower_count, following_count)
     select id, ?, ? from "users"."user" where handle like 'load\\_%'`,
    [FOLLOWS, FOLLOWS],
  );
  const authors = await users<{ id: string }>(
    `select id from "users"."user" where handle like 'load\\_%' order by substr(handle, 6)::int`,
  );
  await content(
    `insert into "content"."post" (id, author_id, title, body, tags, language, premium, status, created_at, updated_at)
     select uuidv7(-(? - p) * interval '1 second'), a.id[p % ? + 1], 'Seeded post ' || p,
       'The body of seeded post ' || p || ', a few words long like a short note.', '{seed}', 'en', false, 'VISIBLE',
       now() - (? - p) * interval '1 second', now() - (? - p) * interval '1 second'
     from generate_series(0, ? - 1) as p, (select ?::uuid[] as id) a`,
    [POSTS, USERS, POSTS, POSTS, POSTS, `{${authors.map((row) => row.id).join(',')}}`],
  );
  // Statistics for the planner and the visibility map now, rather than autovacuum waking up on the
  // fresh rows in the middle of the measured window.
  await users(`vacuum (analyze) "users"."user", "users"."follow"`);
  await content(`vacuum (analyze) "content"."post", "content"."follow", "content"."follow_count"`);
  const vus = await users<{ id: string; handle: string }>(
    `select id, handle from "users"."user" where handle like 'load\\_%' order by substr(handle, 6)::int limit ?`,
    [VUS],
  );
  const postIds = (await content<{ id: string }>(`select id from "content"."post" order by random() limit 10000`)).map(
    (row) => row.id,
  );
  return { vus, postIds };
}

/** Rows the load changes, to check them against the successes the load process counted. */
async function counts(stack: Stack) {
  const content = sqlOf(stack, 'content');
  const [row] = await content<{ posts: string; likes: string; like_sum: string }>(
    `select (select count(*) from "content"."post") as posts, (select count(*) from "content"."post_like") as likes,
       (select coalesce(sum(like_count), 0) from "content"."post") as like_sum`,
  );
  return { posts: Number(row!.posts), likes: Number(row!.likes), likeSum: Number(row!.like_sum) };
}

/** The machine's load averages: other processes (other agents) compete for the same two cores. */
function formatLoad(): string {
  return loadavg()
    .map((n) => n.toFixed(1))
    .join(' / ');
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function printReport(
  report: LoadReport,
  context: {
    seedSeconds: number;
    loadBefore: string;
    before: Awaited<ReturnType<typeof counts>>;
    after: Awaited<ReturnType<typeof counts>>;
  },
): void {
  const seconds = report.windowMs / 1000;
  const rows = [...OPERATION_NAMES, 'all' as const].map((name) => {
    const list =
      name === 'all' ? OPERATION_NAMES.flatMap((op) => report.results[op].latencies) : report.results[name].latencies;
    const errors =
      name === 'all'
        ? OPERATION_NAMES.reduce((sum, op) => sum + report.results[op].errors, 0)
        : report.results[name].errors;
    const sorted = [...list].sort((a, b) => a - b);
    return {
      name,
      requests: list.length,
      rps: list.length / seconds,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      errors,
    };
  });
  const all = rows.at(-1)!;
  const successfulPosts = report.results.createPost.latencies.length - report.results.createPost.errors;
  console.log(
    `\n${VUS} virtual users (one token and one keep-alive connection each), closed loop${THINK_MS ? ` with ${THINK_MS} ms mean think time` : ' without think time'}; ` +
      `${WARMUP_SECONDS} s warm-up with ramp-up (${report.warmupRequests} requests, ${report.warmupErrors} errors) then ${SECONDS} s measured`,
  );
  console.log(
    `seeded ${USERS} users × ${FOLLOWS} follows, ${POSTS} posts in ${context.seedSeconds.toFixed(1)} s; ` +
      `load average (1/5/15 min) before the stack started ${context.loadBefore}, after the run ${formatLoad()}`,
  );
  console.log(
    '\n| operation | requests | req/s | p50 ms | p95 ms | p99 ms | errors | error rate |\n|---|---|---|---|---|---|---|---|',
  );
  for (const row of rows) {
    console.log(
      `| ${row.name} | ${row.requests} | ${row.rps.toFixed(0)} | ${row.p50.toFixed(0)} | ${row.p95.toFixed(0)} | ${row.p99.toFixed(0)} | ${row.errors} | ${((100 * row.errors) / Math.max(1, row.requests)).toFixed(2)}% |`,
    );
  }
  console.log(
    `\nposts created: ${context.after.posts - context.before.posts} in the database (${successfulPosts} successful createPost in the window, plus warm-up and tail); ` +
      `likes: ${context.after.likes - context.before.likes} new rows, sum(likeCount) − likes = ${context.after.likeSum - context.after.likes} (0 = counters agree)`,
  );
  console.log(`requests sent again on a fresh connection after an idle keep-alive close: ${report.retries}`);
  const samples = Object.entries(report.errorSamples).sort((a, b) => b[1] - a[1]);
  if (samples.length > 0) {
    console.log('\nerrors (all phases), most frequent first:');
    for (const [problem, count] of samples.slice(0, 10)) console.log(`  ${count} × ${problem}`);
  }
  console.log(
    `\ntarget (zero errors, p95 under 500 ms): ${all.errors === 0 && all.p95 < 500 ? 'met' : 'NOT met'} (errors ${all.errors}, p95 ${all.p95.toFixed(0)} ms)`,
  );
}
