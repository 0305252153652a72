/**
 * Content events in, decisions out: rules hide or flag new and edited posts and comments, reports open
 * cases, moderators claim and decide them from a queue, authors with too many removals are flagged, and
 * every step is in an append-only audit log. Events go through the subgraph's real bus and outbox.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from 'graphql-ws';
import type { DomainEvent } from '@supergraph/events';
import { createServer } from '@supergraph/moderation';
import { uuidv7 } from '@supergraph/subgraph-kit';
import { eventually, graphql, startTestSubgraph, subscribeWs, wsClient, type TestSubgraph } from '@supergraph/testing';
import { CaseService } from '../src/case.service.js';

let subgraph: TestSubgraph;
const decisions: DomainEvent[] = [];
const clients: Client[] = [];
const AUTHOR = '01900000-0000-7000-8000-00000000a001';
const OTHER_AUTHOR = '01900000-0000-7000-8000-00000000a002';
const CONFIG = {
  MODERATION_REMOVAL_THRESHOLD: 2,
  MODERATION_CLAIM_TTL_MINUTES: 30,
  MODERATION_REGEX_CHECK_TIMEOUT_MS: 10_000,
};

const as = async (username: string) => ({ authorization: `Bearer ${await subgraph.token(username)}` });
const gql = async <T = Record<string, unknown>>(
  username: string,
  query: string,
  variables: Record<string, unknown> = {},
) => graphql<T>(subgraph.url, query, variables, await as(username));

function publish(stream: string, type: string, payload: Record<string, unknown>, id = uuidv7()) {
  return subgraph.bus.publish([
    { id, stream, type, aggregateId: String(payload.id), payload, occurredAt: new Date().toISOString() },
  ]);
}

async function post(text: { title?: string; body: string }, authorId = AUTHOR, createdAt = new Date()) {
  const id = uuidv7();
  await publish('content.posts', 'PostCreated', {
    id,
    authorId,
    title: text.title ?? 'A title',
    body: text.body,
    tags: [],
    language: 'en',
    premium: false,
    createdAt: createdAt.toISOString(),
  });
  return id;
}

/** The content item once moderation consumed its event (the row exists). */
async function known(id: string) {
  await eventually(async () => {
    const rows = await subgraph.server.orm.em
      .fork()
      .getConnection()
      .execute(`select 1 from "moderation"."content_item" where id = ?`, [id]);
    expect(rows).toHaveLength(1);
  });
}

const MODERATION = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Post {
  moderation { status case { state severity reportCount excerpt rule { pattern } contentType contentStatus decision } }
} } }`;
const moderationOf = (username: string, id: string) => gql(username, MODERATION, { r: [{ __typename: 'Post', id }] });

async function rule(pattern: string, action: 'FLAG' | 'HIDE', severity: number, kind = 'WORD') {
  const { body } = await gql<{ createModerationRule: { id: string } }>(
    'admin',
    'mutation($i: CreateModerationRuleInput!) { createModerationRule(input: $i) { id } }',
    { i: { pattern, kind, action, severity } },
  );
  expect(body.errors).toBeUndefined();
  return body.data!.createModerationRule.id;
}

const caseOf = async (contentId: string) => {
  const rows = await subgraph.server.orm.em
    .fork()
    .getConnection()
    .execute(`select id from "moderation"."moderation_case" where content_id = ? order by id desc limit 1`, [
      contentId,
    ]);
  return (rows[0] as { id: string }).id;
};

beforeAll(async () => {
  subgraph = await startTestSubgraph((deps) => createServer(deps, CONFIG));
  await subgraph.bus.consume({
    stream: 'moderation.decisions',
    group: 'test.observer',
    handler: async (event) => void decisions.push(event),
  });
  await rule('casino', 'HIDE', 80);
  await rule(String.raw`fre+\s+money`, 'FLAG', 30, 'REGEX');
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await subgraph?.stop();
});

describe('rules on new and edited content', () => {
  it('a HIDE rule hides a new post at once and opens its case; moderators see the case, others do not', async () => {
    const id = await post({ body: 'The best Casino deals, today only' });
    await eventually(async () =>
      expect(decisions.find((event) => event.payload.contentId === id)?.payload).toEqual({
        contentType: 'POST',
        contentId: id,
        postId: id,
        authorId: AUTHOR,
        status: 'HIDDEN',
        changedAt: expect.any(String),
        caseId: await caseOf(id),
        reason: 'rule "casino"',
        moderator: null,
      }),
    );
    expect((await moderationOf('mod', id)).body).toEqual({
      data: {
        _entities: [
          {
            moderation: {
              status: 'HIDDEN',
              case: {
                state: 'OPEN',
                severity: 80,
                reportCount: 0,
                excerpt: 'A title\nThe best Casino deals, today only',
                rule: { pattern: 'casino' },
                contentType: 'POST',
                contentStatus: 'HIDDEN',
                decision: null,
              },
            },
          },
        ],
      },
    });
    const plain = await moderationOf('alice', id);
    expect(plain.body.data).toEqual({ _entities: [{ moderation: { status: 'HIDDEN', case: null } }] });
    expect(plain.body.errors?.[0]?.extensions?.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
  });

  it('a FLAG rule opens a case and leaves the content visible; an edit is checked again', async () => {
    const id = await post({ body: 'nothing to see' });
    await known(id);
    expect((await moderationOf('mod', id)).body.data).toEqual({
      _entities: [{ moderation: { status: 'VISIBLE', case: null } }],
    });
    await publish('content.posts', 'PostEdited', {
      id,
      authorId: AUTHOR,
      title: 'A title',
      body: 'get FREEE   money',
      tags: [],
      language: 'en',
      premium: false,
      editedAt: new Date().toISOString(),
    });
    await eventually(async () =>
      expect((await moderationOf('mod', id)).body.data).toMatchObject({
        _entities: [
          {
            moderation: {
              status: 'VISIBLE',
              case: { state: 'OPEN', severity: 30, rule: { pattern: String.raw`fre+\s+money` } },
            },
          },
        ],
      }),
    );
    expect(decisions.some((event) => event.payload.contentId === id)).toBe(false);
  });

  it('ignores late and redelivered events: an older version, a version of deleted content, a known event id', async () => {
    const now = Date.now();
    const id = await post({ body: 'clean' }, AUTHOR, new Date(now));
    await known(id);
    const edit = (body: string, at: number) => ({
      id,
      authorId: AUTHOR,
      title: 'A title',
      body,
      tags: [],
      language: 'en',
      premium: false,
      editedAt: new Date(at).toISOString(),
    });
    // Older than the version already checked: not checked.
    await publish('content.posts', 'PostEdited', edit('casino', now - 60_000));
    await publish('content.posts', 'PostDeleted', {
      id,
      authorId: AUTHOR,
      deletedAt: new Date(now + 1_000).toISOString(),
    });
    // Newer, but the post is deleted: not checked either.
    await publish('content.posts', 'PostEdited', edit('casino', now + 2_000));
    const marker = await post({ body: 'marker' });
    await known(marker); // the stream is consumed in order: everything before the marker was handled
    expect((await moderationOf('mod', id)).body.data).toEqual({
      _entities: [{ moderation: { status: 'VISIBLE', case: null } }],
    });

    // Redelivery of one event id changes nothing twice.
    const eventId = uuidv7();
    const flagged = uuidv7();
    const payload = {
      id: flagged,
      authorId: AUTHOR,
      title: 't',
      body: 'free money',
      tags: [],
      language: 'en',
      premium: false,
      createdAt: new Date().toISOString(),
    };
    await publish('content.posts', 'PostCreated', payload, eventId);
    await publish('content.posts', 'PostCreated', payload, eventId);
    await known(flagged);
    const last = await post({ body: 'marker' });
    await known(last);
    const cases = await subgraph.server.orm.em
      .fork()
      .getConnection()
      .execute(`select count(*)::int as n from "moderation"."audit_entry" where target_id = ?`, [flagged]);
    expect(cases).toEqual([{ n: 1 }]);
  });

  it('checks comments: a HIDE rule hides the comment, and the event names its post', async () => {
    const postId = await post({ body: 'fine' });
    const commentId = uuidv7();
    await publish('content.comments', 'CommentCreated', {
      id: commentId,
      postId,
      parentId: null,
      authorId: OTHER_AUTHOR,
      body: 'visit my CASINO',
      createdAt: new Date().toISOString(),
    });
    await eventually(async () =>
      expect(decisions.find((event) => event.payload.contentId === commentId)?.payload).toMatchObject({
        contentType: 'COMMENT',
        contentId: commentId,
        postId,
        authorId: OTHER_AUTHOR,
        status: 'HIDDEN',
      }),
    );
    // The post itself is untouched.
    expect((await moderationOf('mod', postId)).body.data).toEqual({
      _entities: [{ moderation: { status: 'VISIBLE', case: null } }],
    });
  });
});

describe('reports, the queue, claims and decisions', () => {
  const REPORT =
    'mutation($id: ID!, $r: String!) { reportContent(id: $id, reason: $r) { contentType contentId reason state } }';
  const QUEUE =
    'query($after: String) { moderationQueue(first: 2, after: $after) { edges { cursor node { id contentId severity state } } pageInfo { hasNextPage endCursor } } }';

  it('one open report per user and content; reports add to the open case', async () => {
    const id = await post({ body: 'a harmless post' });
    await known(id);
    const first = await gql('alice', REPORT, { id, r: 'rude' });
    expect(first.body).toEqual({
      data: { reportContent: { contentType: 'POST', contentId: id, reason: 'rude', state: 'OPEN' } },
    });
    const again = await gql('alice', REPORT, { id, r: 'still rude' });
    expect(again.body.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT', field: 'id' });
    await gql('bob', REPORT, { id, r: 'spam' });
    expect((await moderationOf('mod', id)).body.data).toMatchObject({
      _entities: [
        { moderation: { status: 'VISIBLE', case: { state: 'OPEN', severity: 1, reportCount: 2, rule: null } } },
      ],
    });
    const missing = await gql('alice', REPORT, { id: uuidv7(), r: 'what' });
    expect(missing.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const bad = await gql('alice', REPORT, { id: 'nope', r: '' });
    expect(bad.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      problems: [
        { field: 'id', message: 'is not a post or comment id' },
        { field: 'reason', message: 'must be at least 3 characters' },
      ],
    });
    // The partial unique index holds even when the application check is bypassed.
    const em = subgraph.server.orm.em.fork();
    await expect(
      em
        .getConnection()
        .execute(
          `insert into "moderation"."content_report" select gen_random_uuid(), content_type, content_id, reporter_id, 'dup', case_id, 'OPEN', now(), null from "moderation"."content_report" where content_id = ? limit 1`,
          [id],
        ),
    ).rejects.toThrow(/content_report_open_uniq/);
  });

  it('the queue is for moderators: most severe first, then oldest, page by page', async () => {
    const denied = await gql('alice', QUEUE);
    expect(denied.body.errors?.[0]?.extensions?.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
    const all: { severity: number; id: string }[] = [];
    let after: string | null = null;
    do {
      const page: Awaited<
        ReturnType<
          typeof gql<{
            moderationQueue: {
              edges: { node: { id: string; severity: number } }[];
              pageInfo: { hasNextPage: boolean; endCursor: string | null };
            };
          }>
        >
      > = await gql('mod', QUEUE, { after });
      expect(page.body.errors).toBeUndefined();
      all.push(...page.body.data!.moderationQueue.edges.map((edge) => edge.node));
      after = page.body.data!.moderationQueue.pageInfo.hasNextPage
        ? page.body.data!.moderationQueue.pageInfo.endCursor
        : null;
    } while (after !== null);
    expect(all.length).toBeGreaterThanOrEqual(3);
    const sorted = [...all].sort((a, b) => b.severity - a.severity || a.id.localeCompare(b.id));
    expect(all).toEqual(sorted);
  });

  it('a moderator claims, removes and later restores; reports resolve; each step is audited', async () => {
    const id = await post({ body: 'report me' });
    await known(id);
    await gql('alice', REPORT, { id, r: 'offensive' });
    const caseId = await caseOf(id);
    const CLAIM = 'mutation($id: ID!) { claimCase(id: $id) { state claimedBy } }';
    const DECIDE =
      'mutation($id: ID!, $d: ModerationDecision!, $n: String) { decideCase(id: $id, decision: $d, note: $n) { state decision decidedBy note contentStatus } }';
    const mod = subgraph.issuer.subjectOf('mod');
    expect((await gql('mod', CLAIM, { id: caseId })).body).toEqual({
      data: { claimCase: { state: 'CLAIMED', claimedBy: mod } },
    });
    expect((await gql('admin', CLAIM, { id: caseId })).body.errors?.[0]?.extensions).toEqual({
      code: 'CONFLICT',
      field: 'id',
    });
    expect((await gql('admin', DECIDE, { id: caseId, d: 'REMOVE' })).body.errors?.[0]?.extensions?.code).toBe(
      'CONFLICT',
    );
    expect((await gql('alice', DECIDE, { id: caseId, d: 'REMOVE' })).body.errors?.[0]?.extensions?.code).toBe(
      'UNAUTHORIZED_FIELD_OR_TYPE',
    );

    const removed = await gql('mod', DECIDE, { id: caseId, d: 'REMOVE', n: 'hate speech' });
    expect(removed.body).toEqual({
      data: {
        decideCase: {
          state: 'CLOSED',
          decision: 'REMOVE',
          decidedBy: mod,
          note: 'hate speech',
          contentStatus: 'REMOVED',
        },
      },
    });
    expect((await gql('mod', DECIDE, { id: caseId, d: 'APPROVE' })).body.errors?.[0]?.extensions?.code).toBe(
      'CONFLICT',
    );
    // The report is resolved: alice may report the content again (a new case).
    expect((await gql('alice', REPORT, { id, r: 'again' })).body.errors).toBeUndefined();

    const restored = await gql('mod', DECIDE, { id: caseId, d: 'RESTORE', n: 'satire, on appeal' });
    expect(restored.body.data).toEqual({
      decideCase: {
        state: 'CLOSED',
        decision: 'RESTORE',
        decidedBy: mod,
        note: 'satire, on appeal',
        contentStatus: 'VISIBLE',
      },
    });
    await eventually(async () =>
      expect(
        decisions
          .filter((event) => event.payload.contentId === id)
          .map((event) => [event.payload.status, event.payload.moderator, event.payload.reason]),
      ).toEqual([
        ['REMOVED', mod, 'hate speech'],
        ['VISIBLE', mod, 'satire, on appeal'],
      ]),
    );
    const times = decisions
      .filter((event) => event.payload.contentId === id)
      .map((event) => Date.parse(event.payload.changedAt as string));
    expect(times[1]!).toBeGreaterThan(times[0]!);

    const log = await gql(
      'admin',
      'query($t: ID) { moderationAuditLog(targetId: $t) { edges { node { actor action targetType reason } } } }',
      { t: id },
    );
    const alice = subgraph.issuer.subjectOf('alice');
    expect(log.body).toEqual({
      data: {
        moderationAuditLog: {
          edges: [
            { actor: mod, action: 'CONTENT_RESTORED', targetType: 'POST', reason: 'satire, on appeal' },
            { actor: alice, action: 'REPORT_FILED', targetType: 'POST', reason: 'again' },
            { actor: mod, action: 'CONTENT_REMOVED', targetType: 'POST', reason: 'hate speech' },
            { actor: mod, action: 'CASE_CLAIMED', targetType: 'POST', reason: null },
            { actor: alice, action: 'REPORT_FILED', targetType: 'POST', reason: 'offensive' },
          ].map((node) => ({ node })),
        },
      },
    });
    for (const username of ['alice', 'mod']) {
      const denied = await gql(username, '{ moderationAuditLog { edges { node { id } } } }');
      expect(denied.body.errors?.[0]?.extensions?.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
    }
  });

  it('flags an author for admin review once their removals reach the threshold', async () => {
    const author = '01900000-0000-7000-8000-00000000a0ff';
    const DECIDE = 'mutation($id: ID!) { decideCase(id: $id, decision: REMOVE) { state } }';
    for (const body of ['first casino', 'second casino', 'third casino']) {
      const id = await post({ body }, author);
      await eventually(async () => expect(await caseOf(id)).toBeDefined());
      expect((await gql('mod', DECIDE, { id: await caseOf(id) })).body.errors).toBeUndefined();
    }
    await eventually(async () =>
      expect(decisions.filter((event) => event.type === 'AuthorFlagged').map((event) => event.payload)).toEqual([
        { userId: author, removals: 2, threshold: 2, at: expect.any(String) },
      ]),
    );
    const log = await gql(
      'admin',
      'query($t: ID) { moderationAuditLog(targetId: $t) { edges { node { actor action targetType reason } } } }',
      { t: author },
    );
    expect(log.body.data).toEqual({
      moderationAuditLog: {
        edges: [
          {
            node: { actor: 'system', action: 'AUTHOR_FLAGGED', targetType: 'USER', reason: '2 removals (threshold 2)' },
          },
        ],
      },
    });
  });
});

describe('storage', () => {
  it('the audit log is append-only in the database itself', async () => {
    const connection = subgraph.server.orm.em.fork().getConnection();
    await expect(connection.execute(`update "moderation"."audit_entry" set reason = 'forged'`)).rejects.toThrow(
      /append-only \(UPDATE refused\)/,
    );
    await expect(connection.execute(`delete from "moderation"."audit_entry"`)).rejects.toThrow(
      /append-only \(DELETE refused\)/,
    );
    await expect(connection.execute(`truncate "moderation"."audit_entry"`)).rejects.toThrow(
      /append-only \(TRUNCATE refused\)/,
    );
  });

  it('the queue query uses its index (EXPLAIN, first page and after a cursor)', async () => {
    const em = subgraph.server.orm.em.fork();
    const connection = em.getConnection();
    // Enough closed and open cases that a sequential scan and sort would be the worse plan.
    await connection.execute(`insert into "moderation"."moderation_case"
      (id, content_type, content_id, post_id, state, severity, report_count, opened_at, updated_at)
      select gen_random_uuid(), 'POST', gen_random_uuid(), gen_random_uuid(),
             case when i % 10 = 0 then 'OPEN' else 'CLOSED' end, 1 + i % 100, 0, now(), now()
      from generate_series(1, 20000) as i`);
    await connection.execute(`analyze "moderation"."moderation_case"`);
    const service = new CaseService(em, CONFIG);
    const first = (await service.queueQuery({ first: 20, after: undefined })).query;
    const open = await first.clone().getResult();
    const next = (await service.queueQuery({ first: 20, after: open[5]!.id })).query;
    for (const query of [first, next]) {
      const plan = (await connection.execute(`explain ${query.getFormattedQuery()}`)) as { 'QUERY PLAN': string }[];
      const text = plan.map((row) => row['QUERY PLAN']).join('\n');
      expect(text).toMatch(/Index Scan using moderation_case_queue_idx/);
      expect(text).not.toMatch(/Seq Scan|Sort/);
    }
  });
});

describe('Subscription.moderationCaseUpdated over graphql-ws', () => {
  function connect(token: string): Client {
    const client = wsClient(subgraph.wsUrl, token);
    clients.push(client);
    return client;
  }
  const subscribe = (client: Client) =>
    subscribeWs(
      client,
      'subscription { moderationCaseUpdated { contentId state severity reportCount rule { pattern } } }',
    );

  it('moderators receive every case change once committed; plain users are refused', async () => {
    const moderator = subscribe(connect(await subgraph.token('mod')));
    const plain = subscribe(connect(await subgraph.token('alice')));
    expect(await plain.done).toEqual({ completed: true });
    expect(plain.events).toEqual([
      {
        errors: [
          {
            message: 'Unauthorized field or type',
            locations: [{ line: 1, column: 16 }],
            path: ['moderationCaseUpdated'],
            extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' },
          },
        ],
      },
    ]);
    // Let the subscription reach the realtime bus before the change happens.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const id = await post({ body: 'CASINO night' });
    const change = (reportCount: number) => ({
      data: {
        moderationCaseUpdated: { contentId: id, state: 'OPEN', severity: 80, reportCount, rule: { pattern: 'casino' } },
      },
    });
    const ofThisCase = () =>
      moderator.events.filter(
        (event) => (event.data?.moderationCaseUpdated as { contentId?: string } | undefined)?.contentId === id,
      );
    await eventually(async () => expect(ofThisCase()).toEqual([change(0)]));
    await gql('alice', 'mutation($id: ID!) { reportContent(id: $id, reason: "gambling") { state } }', { id });
    // Each change exactly once, in order.
    await eventually(async () => expect(ofThisCase()).toEqual([change(0), change(1)]));
  });
});
