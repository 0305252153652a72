/**
 * Policies through the gateway with real tokens: OPA WebAssembly decisions in the subgraphs, bundles
 * published to a bundle server and picked up without a restart, tampered bundles refused.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startBundleServer, type BundleServer } from '@supergraph/local-infra';
import { passwordToken, REPO_ROOT, startStack, type Stack } from '@supergraph/stack';
import {
  COMMITTED_BUNDLE,
  eventually,
  graphql,
  testDatabase,
  testLogger,
  type TestDatabase,
} from '@supergraph/testing';

const log = testLogger();
let db: TestDatabase;
let stack: Stack;
let served: string;
let bundleServer: BundleServer;
let work: string;
const tokens: Record<string, string> = {};
const as = (username: string) => ({ authorization: `Bearer ${tokens[username]}` });

beforeAll(async () => {
  db = await testDatabase();
  work = mkdtempSync(path.join(tmpdir(), 'policies-e2e-'));
  served = path.join(work, 'served');
  cpSync(COMMITTED_BUNDLE, path.join(served, 'supergraph.tar.gz'));
  bundleServer = await startBundleServer({ dir: served });
  stack = await startStack({
    logger: log.logger,
    databaseUrl: db.serverUrl,
    databaseName: db.name,
    gatewayPort: 0,
    policy: { bundle: `${bundleServer.url}/supergraph.tar.gz`, minDelayMs: 200, maxDelayMs: 400 },
  });
  const logins: [string, string][] = [
    ['alice', 'user-password'],
    ['bob', 'user-password'],
    ['mod', 'moderator-password'],
    ['admin', 'admin-password'],
    ['billing', 'billing-password'],
  ];
  for (const [username, password] of logins) {
    tokens[username] = await passwordToken(stack.devIssuer!.tokenUrl, username, password);
    await graphql(stack.gatewayUrl, '{ me { id } }', {}, as(username));
  }
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await bundleServer?.stop();
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
});

describe('profile edits (supergraph/users/profile)', () => {
  it('a user edits their own profile but not another’s, and a denied edit changes nothing', async () => {
    const bob = stack.devIssuer!.subjectOf('bob');
    const own = await graphql(
      stack.gatewayUrl,
      'mutation { updateProfile(input: { bio: "mine" }) { bio } }',
      {},
      as('alice'),
    );
    expect(own.body).toEqual({ data: { updateProfile: { bio: 'mine' } } });
    const other = await graphql(
      stack.gatewayUrl,
      'mutation($id: ID) { updateProfile(id: $id, input: { bio: "pwned" }) { bio } }',
      { id: bob },
      as('alice'),
    );
    expect(other.body).toEqual({
      data: null,
      errors: [
        { message: 'Forbidden', path: ['updateProfile'], extensions: { code: 'FORBIDDEN', serviceName: 'users' } },
      ],
    });
    const after = await graphql(stack.gatewayUrl, 'query($id: ID!) { user(id: $id) { bio } }', { id: bob });
    expect(after.body).toEqual({ data: { user: { bio: null } } });
  });

  it('an admin edits anyone’s profile', async () => {
    const bob = stack.devIssuer!.subjectOf('bob');
    const edited = await graphql(
      stack.gatewayUrl,
      'mutation($id: ID) { updateProfile(id: $id, input: { bio: "set by admin" }) { handle bio } }',
      { id: bob },
      as('admin'),
    );
    expect(edited.body).toEqual({ data: { updateProfile: { handle: 'bob', bio: 'set by admin' } } });
  });
});

describe('partners (supergraph/partner/scope)', () => {
  it('a partner whose scopes the bundle data maps to the field reads it', async () => {
    const response = await fetch(stack.devIssuer!.tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('partner-globex:globex-dev-secret').toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    const { access_token } = (await response.json()) as { access_token: string };
    const manifest = JSON.parse(
      readFileSync(path.join(REPO_ROOT, 'partners/partner-globex/manifest.json'), 'utf8'),
    ) as {
      operations: { id: string; name: string }[];
    };
    const id = manifest.operations.find((operation) => operation.name === 'LatestTitles')!.id;
    const listed = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` },
      body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: id } } }),
    });
    expect(await listed.json()).toEqual({ data: { partnerPosts: { edges: [] } } });
  });
});

describe('premium posts (supergraph/content/post/read) and invoices (supergraph/billing/invoice)', () => {
  it('a premium body needs an active PRO plan, granted through billing’s events; invoices are for their owner and billing admins', async () => {
    const bob = stack.devIssuer!.subjectOf('bob');
    const created = await graphql<{ createPost: { id: string } }>(
      stack.gatewayUrl,
      'mutation { createPost(input: { title: "Deep dive", body: "Members only", premium: true }) { id } }',
      {},
      as('alice'),
    );
    const post = created.body.data!.createPost.id;
    const read = (username: string) =>
      graphql(stack.gatewayUrl, 'query($id: ID!) { post(id: $id) { title premium body } }', { id: post }, as(username));

    expect((await read('bob')).body).toEqual({
      data: { post: { title: 'Deep dive', premium: true, body: null } },
      errors: [
        { message: 'Forbidden', path: ['post', 'body'], extensions: { code: 'FORBIDDEN', serviceName: 'content' } },
      ],
    });
    expect((await read('alice')).body).toEqual({
      data: { post: { title: 'Deep dive', premium: true, body: 'Members only' } },
    });
    expect((await read('mod')).body).toEqual({
      data: { post: { title: 'Deep dive', premium: true, body: 'Members only' } },
    });

    // Only billing admins change plans; the change reaches content as an event.
    const denied = await graphql(
      stack.gatewayUrl,
      'mutation($u: ID!) { setSubscription(userId: $u, plan: PRO) { plan } }',
      { u: bob },
      as('alice'),
    );
    expect(denied.body.errors?.[0]?.extensions?.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
    const upgraded = await graphql(
      stack.gatewayUrl,
      'mutation($u: ID!) { setSubscription(userId: $u, plan: PRO) { plan status } }',
      { u: bob },
      as('billing'),
    );
    expect(upgraded.body).toEqual({ data: { setSubscription: { plan: 'PRO', status: 'ACTIVE' } } });
    await eventually(
      async () =>
        expect((await read('bob')).body).toEqual({
          data: { post: { title: 'Deep dive', premium: true, body: 'Members only' } },
        }),
      1_000,
    );

    const invoices = (username: string) =>
      graphql(
        stack.gatewayUrl,
        'query($id: ID!) { user(id: $id) { handle invoices { number totalMinor currency status lines { description amountMinor } } } }',
        { id: bob },
        as(username),
      );
    const own = await invoices('bob');
    expect(own.body).toEqual({
      data: {
        user: {
          handle: 'bob',
          invoices: [
            {
              number: expect.stringMatching(/^INV-\d{4}-000001$/),
              totalMinor: 900,
              currency: 'USD',
              status: 'OPEN',
              lines: [{ description: 'Pro plan, monthly', amountMinor: 900 }],
            },
          ],
        },
      },
    });
    expect((await invoices('billing')).body).toEqual(own.body);
    expect((await invoices('alice')).body).toEqual({
      data: { user: { handle: 'bob', invoices: null } },
      errors: [
        { message: 'Forbidden', path: ['user', 'invoices'], extensions: { code: 'FORBIDDEN', serviceName: 'billing' } },
      ],
    });
  });
});

describe('hidden and removed posts (supergraph/content/post/read)', () => {
  it('a moderator hides a post: others, its author included, no longer see it; moderators and admins still do', async () => {
    const created = await graphql<{ createPost: { id: string } }>(
      stack.gatewayUrl,
      'mutation { createPost(input: { title: "Borderline", body: "..." }) { id } }',
      {},
      as('bob'),
    );
    const post = created.body.data!.createPost.id;
    const read = (username: string) =>
      graphql(
        stack.gatewayUrl,
        'query($id: ID!) { post(id: $id) { title moderation { status } } }',
        { id: post },
        as(username),
      );
    expect((await read('alice')).body).toEqual({
      data: { post: { title: 'Borderline', moderation: { status: 'VISIBLE' } } },
    });

    const plain = await graphql(
      stack.gatewayUrl,
      'mutation($id: ID!) { setModerationStatus(postId: $id, status: HIDDEN) { status } }',
      { id: post },
      as('alice'),
    );
    expect(plain.body.errors?.[0]?.extensions?.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
    const hidden = await graphql(
      stack.gatewayUrl,
      'mutation($id: ID!) { setModerationStatus(postId: $id, status: HIDDEN) { status } }',
      { id: post },
      as('mod'),
    );
    expect(hidden.body).toEqual({ data: { setModerationStatus: { status: 'HIDDEN' } } });

    await eventually(async () => expect((await read('alice')).body).toEqual({ data: { post: null } }), 2_000);
    expect((await read('bob')).body).toEqual({ data: { post: null } });
    expect((await read('mod')).body).toEqual({
      data: { post: { title: 'Borderline', moderation: { status: 'HIDDEN' } } },
    });
    expect((await read('admin')).body).toEqual({
      data: { post: { title: 'Borderline', moderation: { status: 'HIDDEN' } } },
    });
    const bobsPosts = await graphql(
      stack.gatewayUrl,
      'query($id: ID!) { user(id: $id) { posts(first: 10) { edges { node { title } } } } }',
      { id: stack.devIssuer!.subjectOf('bob') },
    );
    expect(bobsPosts.body).toEqual({ data: { user: { posts: { edges: [] } } } });

    await graphql(
      stack.gatewayUrl,
      'mutation($id: ID!) { setModerationStatus(postId: $id, status: VISIBLE) { status } }',
      { id: post },
      as('mod'),
    );
    await eventually(
      async () =>
        expect((await read('alice')).body).toEqual({
          data: { post: { title: 'Borderline', moderation: { status: 'VISIBLE' } } },
        }),
      2_000,
    );
  });
});

describe('publishing bundles (supergraph/moderation/queue)', () => {
  const RULES = '{ moderationRules { pattern } }';

  it('a new revision that revokes a permission takes effect within one polling interval, with no restart', async () => {
    expect((await graphql(stack.gatewayUrl, RULES, {}, as('mod'))).body).toEqual({ data: { moderationRules: [] } });
    const before = stack.policy.engine.revision;

    // The security team's change: only admins may read the moderation queue from now on.
    const source = path.join(work, 'src');
    cpSync(path.join(REPO_ROOT, 'policies'), path.join(source, 'policies'), { recursive: true });
    const rego = path.join(source, 'policies/supergraph/moderation/queue.rego');
    writeFileSync(
      rego,
      readFileSync(rego, 'utf8')
        .replace('allow if subject.is_moderator', 'allow if subject.is_admin')
        .replace('_reason := "moderator" if subject.is_moderator', '_reason := "admin" if subject.is_admin'),
    );
    const out = path.join(work, 'out');
    execFileSync('bash', [path.join(REPO_ROOT, 'scripts/policies.sh'), 'build', out], {
      cwd: REPO_ROOT,
      env: { ...process.env, POLICY_SOURCE: path.join(source, 'policies') },
      stdio: 'pipe',
    });
    cpSync(path.join(out, 'supergraph.tar.gz'), path.join(served, 'supergraph.tar.gz'));
    const published = Date.now();

    await eventually(async () => {
      const { body } = await graphql(stack.gatewayUrl, RULES, {}, as('mod'));
      expect(body).toEqual({
        data: { moderationRules: null },
        errors: [
          {
            message: 'Forbidden',
            path: ['moderationRules'],
            extensions: { code: 'FORBIDDEN', serviceName: 'moderation' },
          },
        ],
      });
    }, 3_000);
    expect(Date.now() - published).toBeLessThan(1_500); // one polling interval is 200–400 ms here
    expect(stack.policy.engine.revision).not.toBe(before);
    expect((await graphql(stack.gatewayUrl, RULES, {}, as('admin'))).body).toEqual({ data: { moderationRules: [] } });
    const decision = log
      .lines()
      .filter((line) => line.msg === 'policy decision' && line.path === 'supergraph/moderation/queue/decision')
      .at(-1);
    expect(decision).toMatchObject({ allow: true, reason: 'admin', revision: stack.policy.engine.revision });
  }, 120_000);

  it('a tampered bundle is rejected and the current decisions stay', async () => {
    const revision = stack.policy.engine.revision;
    const rejectedBefore = stack.policy.engine.stats.bundlesRejected;
    // Flip one byte of a signed file inside the archive: its digest no longer matches the signature.
    const tar = gunzipSync(readFileSync(path.join(served, 'supergraph.tar.gz')));
    const at = tar.indexOf(Buffer.from('partner:read'));
    tar[at] = 'P'.charCodeAt(0);
    writeFileSync(path.join(served, 'supergraph.tar.gz'), gzipSync(tar));
    await eventually(
      async () => expect(stack.policy.engine.stats.bundlesRejected).toBeGreaterThan(rejectedBefore),
      3_000,
    );
    expect(stack.policy.engine.revision).toBe(revision);
    expect((await graphql(stack.gatewayUrl, RULES, {}, as('admin'))).body).toEqual({ data: { moderationRules: [] } });
    expect((await graphql(stack.gatewayUrl, RULES, {}, as('mod'))).body.errors?.[0]?.extensions?.code).toBe(
      'FORBIDDEN',
    );
    expect(log.lines().some((line) => line.msg === 'policy bundle rejected; keeping the current bundle')).toBe(true);
  });
});
