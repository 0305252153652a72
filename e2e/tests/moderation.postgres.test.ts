/**
 * Moderation end to end, through the gateway with real sign-ins: an admin's HIDE rule takes a matching
 * post away from the feed and from search at once (content and search learn it from moderation's
 * events) while moderators still see it with its case; a user's report opens a case; a moderator claims
 * it, removes the post and later restores it; every step is in the audit log, which, like the queue, a
 * plain user cannot read; moderators follow case changes live over graphql-ws.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from 'graphql-ws';
import { passwordToken, startStack, type Stack } from '@supergraph/stack';
import {
  eventually,
  graphql,
  subscribeWs,
  testDatabase,
  testLogger,
  wsClient,
  type TestDatabase,
} from '@supergraph/testing';

const log = testLogger();
let db: TestDatabase;
let stack: Stack;
const tokens: Record<string, string> = {};
const clients: Client[] = [];
const as = (username: string) => ({ authorization: `Bearer ${tokens[username]}` });
const gql = <T = Record<string, unknown>>(username: string, query: string, variables: Record<string, unknown> = {}) =>
  graphql<T>(stack.gatewayUrl, query, variables, as(username));

/** A word no other test data contains, so that search answers only this scenario's posts. */
const WORD = 'quokkaphone';
let clean: string;
let jackpot: string;

const POST = `query($id: ID!) { post(id: $id) { id title moderation { status } } }`;
const POST_WITH_CASE = `query($id: ID!) {
  post(id: $id) { title moderation { status case { state severity reportCount rule { pattern action } decision } } }
}`;
const FEED = '{ feed(first: 50) { edges { node { id } } } }';
const SEARCH = `query($q: String!) { search(query: $q, first: 10) { totalCount edges { node { post { id } } } } }`;
const QUEUE = '{ moderationQueue(first: 50) { edges { node { id contentId state severity reportCount } } } }';
const AUDIT = `query($t: ID) { moderationAuditLog(first: 50, targetId: $t) { edges { node { actor action targetType targetId reason at } } } }`;

const feedIds = async (username: string) =>
  ((await gql<{ feed: { edges: { node: { id: string } }[] } }>(username, FEED)).body.data?.feed.edges ?? []).map(
    (edge) => edge.node.id,
  );
const searchIds = async (username: string) =>
  (
    (await gql<{ search: { edges: { node: { post: { id: string } } }[] } }>(username, SEARCH, { q: WORD })).body.data
      ?.search.edges ?? []
  ).map((edge) => edge.node.post.id);

beforeAll(async () => {
  db = await testDatabase();
  stack = await startStack({
    logger: log.logger,
    databaseUrl: db.serverUrl,
    databaseName: db.name,
    gatewayPort: 0,
  });
  const logins: [string, string][] = [
    ['alice', 'user-password'],
    ['bob', 'user-password'],
    ['mod', 'moderator-password'],
    ['admin', 'admin-password'],
  ];
  for (const [username, password] of logins) {
    tokens[username] = await passwordToken(stack.devIssuer!.tokenUrl, username, password);
    await gql(username, '{ me { id } }'); // signing in creates the profile
  }
  // Bob reads alice's posts in his feed.
  const followed = await gql('bob', 'mutation($u: ID!) { follow(userId: $u) { id } }', {
    u: stack.devIssuer!.subjectOf('alice'),
  });
  expect(followed.body.errors).toBeUndefined();
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await stack?.stop();
  await db?.drop();
});

describe('moderation through the gateway', () => {
  it('a HIDE rule takes a matching post out of the feed and search for others; moderators see it with its case', async () => {
    const created = await gql<{ createModerationRule: { id: string; pattern: string; kind: string } }>(
      'admin',
      `mutation { createModerationRule(input: { pattern: "jackpot", kind: WORD, severity: 90, action: HIDE }) { id pattern kind } }`,
    );
    expect(created.body.data?.createModerationRule).toMatchObject({ pattern: 'jackpot', kind: 'WORD' });

    const write = async (title: string, body: string) => {
      const result = await gql<{ createPost: { id: string } }>(
        'alice',
        'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
        { input: { title, body } },
      );
      expect(result.body.errors).toBeUndefined();
      return result.body.data!.createPost.id;
    };
    clean = await write('Holiday notes', `My ${WORD} works fine`);
    jackpot = await write('Lucky day', `Win the JACKPOT with my ${WORD}!`);

    // The clean post is everywhere, the other one nowhere, for a reader other than moderators.
    await eventually(async () => expect(await feedIds('bob')).toEqual([clean]), 10_000);
    // Both are indexed (moderators search hidden content too), so bob's answer below shows hiding at work,
    // not a post that is not indexed yet.
    await eventually(async () => expect((await searchIds('mod')).sort()).toEqual([clean, jackpot].sort()), 10_000);
    await eventually(async () => expect(await searchIds('bob')).toEqual([clean]), 10_000);
    expect((await gql('bob', POST, { id: jackpot })).body).toEqual({ data: { post: null } });

    expect((await gql('mod', POST_WITH_CASE, { id: jackpot })).body).toEqual({
      data: {
        post: {
          title: 'Lucky day',
          moderation: {
            status: 'HIDDEN',
            case: {
              state: 'OPEN',
              severity: 90,
              reportCount: 0,
              rule: { pattern: 'jackpot', action: 'HIDE' },
              decision: null,
            },
          },
        },
      },
    });
    const queue = await gql<{ moderationQueue: { edges: { node: { contentId: string } }[] } }>('mod', QUEUE);
    expect(queue.body.data?.moderationQueue.edges.map((edge) => edge.node.contentId)).toEqual([jackpot]);
  }, 60_000);

  it('a report opens a case; a moderator claims it, removes the post and later restores it; moderators see it live', async () => {
    const client = wsClient(stack.gatewayUrl, tokens.mod);
    clients.push(client);
    const live = subscribeWs(
      client,
      'subscription { moderationCaseUpdated { contentId state reportCount decision post { title } } }',
    ).events;
    await eventually(async () => expect(stack.gateway.subscriptions.active()).toBe(1), 5_000);

    const reported = await gql(
      'bob',
      'mutation($id: ID!) { reportContent(id: $id, reason: "Spam in disguise") { contentType contentId reason state } }',
      { id: clean },
    );
    expect(reported.body).toEqual({
      data: { reportContent: { contentType: 'POST', contentId: clean, reason: 'Spam in disguise', state: 'OPEN' } },
    });
    const duplicate = await gql('bob', 'mutation($id: ID!) { reportContent(id: $id, reason: "again") { state } }', {
      id: clean,
    });
    expect(duplicate.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');

    const queue = await gql<{
      moderationQueue: { edges: { node: { id: string; contentId: string; severity: number; reportCount: number } }[] };
    }>('mod', QUEUE);
    const edges = queue.body.data!.moderationQueue.edges.map((edge) => edge.node);
    // Most severe first: the rule's case (90) before the report's (1).
    expect(edges.map(({ contentId, severity, reportCount }) => ({ contentId, severity, reportCount }))).toEqual([
      { contentId: jackpot, severity: 90, reportCount: 0 },
      { contentId: clean, severity: 1, reportCount: 1 },
    ]);
    const caseId = edges[1]!.id;
    await eventually(
      async () =>
        expect(live).toContainEqual({
          data: {
            moderationCaseUpdated: {
              contentId: clean,
              state: 'OPEN',
              reportCount: 1,
              decision: null,
              post: { title: 'Holiday notes' },
            },
          },
        }),
      5_000,
    );

    const claimed = await gql('mod', 'mutation($id: ID!) { claimCase(id: $id) { state claimedBy } }', { id: caseId });
    expect(claimed.body).toEqual({
      data: { claimCase: { state: 'CLAIMED', claimedBy: stack.devIssuer!.subjectOf('mod') } },
    });
    const DECIDE = `mutation($id: ID!, $d: ModerationDecision!, $n: String) {
      decideCase(id: $id, decision: $d, note: $n) { state decision note contentStatus }
    }`;
    const removed = await gql('mod', DECIDE, { id: caseId, d: 'REMOVE', n: 'Undisclosed advertising' });
    expect(removed.body).toEqual({
      data: {
        decideCase: { state: 'CLOSED', decision: 'REMOVE', note: 'Undisclosed advertising', contentStatus: 'REMOVED' },
      },
    });
    await eventually(
      async () => expect((await gql('bob', POST, { id: clean })).body).toEqual({ data: { post: null } }),
      10_000,
    );
    await eventually(async () => expect(await feedIds('bob')).toEqual([]), 10_000);
    await eventually(async () => expect(await searchIds('bob')).toEqual([]), 10_000);
    expect((await gql('mod', POST_WITH_CASE, { id: clean })).body.data).toEqual({
      post: {
        title: 'Holiday notes',
        moderation: {
          status: 'REMOVED',
          case: { state: 'CLOSED', severity: 1, reportCount: 1, rule: null, decision: 'REMOVE' },
        },
      },
    });

    const restored = await gql('mod', DECIDE, { id: caseId, d: 'RESTORE', n: 'Appeal accepted' });
    expect(restored.body).toEqual({
      data: { decideCase: { state: 'CLOSED', decision: 'RESTORE', note: 'Appeal accepted', contentStatus: 'VISIBLE' } },
    });
    await eventually(
      async () =>
        expect((await gql('bob', POST, { id: clean })).body).toEqual({
          data: { post: { id: clean, title: 'Holiday notes', moderation: { status: 'VISIBLE' } } },
        }),
      10_000,
    );
    await eventually(async () => expect(await feedIds('bob')).toEqual([clean]), 10_000);
    await eventually(async () => expect(await searchIds('bob')).toEqual([clean]), 10_000);
    await eventually(
      async () =>
        expect(
          live.map(
            (result) => (result.data?.moderationCaseUpdated as { decision: string | null } | undefined)?.decision,
          ),
        ).toEqual(expect.arrayContaining(['REMOVE', 'RESTORE'])),
      5_000,
    );
  }, 90_000);

  it('every step is in the audit log, for admins', async () => {
    const entries = async (targetId: string) =>
      (
        await gql<{
          moderationAuditLog: {
            edges: {
              node: {
                actor: string;
                action: string;
                targetType: string;
                targetId: string;
                reason: string | null;
                at: string;
              };
            }[];
          };
        }>('admin', AUDIT, { t: targetId })
      ).body.data!.moderationAuditLog.edges.map(({ node }) => node);
    const subject = (username: string) => stack.devIssuer!.subjectOf(username);

    const hidden = await entries(jackpot);
    expect(hidden.map(({ actor, action, targetType, reason }) => ({ actor, action, targetType, reason }))).toEqual([
      { actor: 'system', action: 'CONTENT_HIDDEN', targetType: 'POST', reason: 'rule "jackpot"' },
      { actor: 'system', action: 'CASE_OPENED', targetType: 'POST', reason: 'matches rule "jackpot"' },
    ]);
    const decided = await entries(clean);
    expect(decided.map(({ actor, action, reason }) => ({ actor, action, reason }))).toEqual([
      { actor: subject('mod'), action: 'CONTENT_RESTORED', reason: 'Appeal accepted' },
      { actor: subject('mod'), action: 'CONTENT_REMOVED', reason: 'Undisclosed advertising' },
      { actor: subject('mod'), action: 'CASE_CLAIMED', reason: null },
      { actor: subject('bob'), action: 'REPORT_FILED', reason: 'Spam in disguise' },
    ]);
    // Newest first, each with its time.
    const times = decided.map((entry) => Date.parse(entry.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const all = await gql<{ moderationAuditLog: { edges: { node: { action: string; targetType: string } }[] } }>(
      'admin',
      AUDIT,
    );
    expect(all.body.data!.moderationAuditLog.edges.at(-1)?.node).toEqual(
      expect.objectContaining({ action: 'RULE_CREATED', targetType: 'RULE' }),
    );
  });

  it('new comments and edited posts are checked too', async () => {
    const COMMENTS = 'query($id: ID!) { post(id: $id) { comments(first: 10) { edges { node { id body } } } } }';
    const added = await gql<{ addComment: { id: string } }>(
      'bob',
      'mutation($i: AddCommentInput!) { addComment(input: $i) { id } }',
      { i: { postId: clean, body: 'Try my jackpot site' } },
    );
    expect(added.body.errors).toBeUndefined();
    const comment = added.body.data!.addComment.id;
    await eventually(async () => {
      const queue = await gql<{ moderationQueue: { edges: { node: { contentId: string } }[] } }>('mod', QUEUE);
      expect(queue.body.data?.moderationQueue.edges.map((edge) => edge.node.contentId)).toContain(comment);
    }, 10_000);
    await eventually(
      async () =>
        expect((await gql('alice', COMMENTS, { id: clean })).body).toEqual({
          data: { post: { comments: { edges: [] } } },
        }),
      10_000,
    );

    const edited = await gql(
      'alice',
      'mutation($id: ID!) { editPost(id: $id, input: { body: "Jackpot time" }) { id } }',
      {
        id: clean,
      },
    );
    expect(edited.body.errors).toBeUndefined();
    await eventually(
      async () => expect((await gql('bob', POST, { id: clean })).body).toEqual({ data: { post: null } }),
      10_000,
    );
    await eventually(async () => expect(await feedIds('bob')).toEqual([]), 10_000);
    const status = await gql('mod', POST_WITH_CASE, { id: clean });
    expect(status.body.data).toMatchObject({
      post: { moderation: { status: 'HIDDEN', case: { state: 'OPEN', severity: 90, rule: { pattern: 'jackpot' } } } },
    });
  }, 60_000);

  it('a plain user cannot read the queue or the audit log; a moderator cannot read the audit log', async () => {
    for (const [username, query, field] of [
      ['bob', QUEUE, 'moderationQueue'],
      ['bob', AUDIT, 'moderationAuditLog'],
      ['mod', AUDIT, 'moderationAuditLog'],
    ] as const) {
      // The gateway refuses the (non-null) root field before any subgraph is asked.
      expect((await gql(username, query)).body).toEqual({
        errors: [
          { message: 'Unauthorized field or type', path: [field], extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' } },
        ],
      });
    }
    const decide = await gql('bob', 'mutation($id: ID!) { decideCase(id: $id, decision: APPROVE) { state } }', {
      id: jackpot,
    });
    expect(decide.body.errors?.[0]?.extensions?.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
  });
});
