/**
 * Rules: admins manage them, every pattern is checked (length, syntax, recheck's ReDoS analysis within a
 * time budget), WORD rules match whole words in any script, and every change is in the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from '@supergraph/moderation';
import { graphql, startTestSubgraph, type TestSubgraph } from '@supergraph/testing';
import { compileRule, matchableText, patternProblems } from '../src/rule-pattern.js';

let subgraph: TestSubgraph;
const as = async (username: string) => ({ authorization: `Bearer ${await subgraph.token(username)}` });
const CREATE = `mutation($input: CreateModerationRuleInput!) {
  createModerationRule(input: $input) { id pattern kind severity action }
}`;

beforeAll(async () => {
  subgraph = await startTestSubgraph((deps) =>
    createServer(deps, {
      MODERATION_REMOVAL_THRESHOLD: 3,
      MODERATION_CLAIM_TTL_MINUTES: 30,
      MODERATION_REGEX_CHECK_TIMEOUT_MS: 5_000,
    }),
  );
});
afterAll(() => subgraph?.stop());

describe('WORD rules match whole words, case-insensitively, in any script', () => {
  const matches = (word: string, text: string) => compileRule('WORD', word).test(matchableText(text));

  it.each([
    ['spam', 'Buy SPAM now!', true],
    ['spam', 'spam', true],
    ['spam', 'spammer here', false],
    ['spam', 'antispam', false],
    ['spam', 'no_spam_here', false],
    ['café', 'CAFÉ au lait', true],
    ['café', 'cafés', false],
    ['слово', 'Это Слово, да', true],
    ['слово', 'словом', false],
    ['spam', 'ｓｐａｍ in full width', true],
    ['c++', 'I like C++ a lot', true],
    ['buy now', 'please BUY  now', false],
    ['buy now', 'please buy now.', true],
  ])('%j in %j → %j', (word, text, expected) => {
    expect(matches(word, text)).toBe(expected);
  });

  it('REGEX rules are compiled with the u and i flags', () => {
    const regex = compileRule('REGEX', String.raw`\p{Lu}{3}\d`);
    expect(regex.flags).toBe('iu');
    expect(regex.test('code abc1')).toBe(true);
  });
});

describe('managing rules', () => {
  it('an admin creates, updates and deletes rules; each change is in the audit log', async () => {
    const created = await graphql<{ createModerationRule: { id: string } }>(
      subgraph.url,
      CREATE,
      { input: { pattern: String.raw`fre+\s+money`, kind: 'REGEX', severity: 40, action: 'FLAG' } },
      await as('admin'),
    );
    const id = created.body.data!.createModerationRule.id;
    expect(created.body).toEqual({
      data: {
        createModerationRule: { id, pattern: String.raw`fre+\s+money`, kind: 'REGEX', severity: 40, action: 'FLAG' },
      },
    });
    const updated = await graphql(
      subgraph.url,
      'mutation($id: ID!) { updateModerationRule(id: $id, input: { severity: 60, action: HIDE }) { pattern severity action } }',
      { id },
      await as('admin'),
    );
    expect(updated.body).toEqual({
      data: { updateModerationRule: { pattern: String.raw`fre+\s+money`, severity: 60, action: 'HIDE' } },
    });
    const listed = await graphql(subgraph.url, '{ moderationRules { id severity } }', {}, await as('mod'));
    expect(listed.body).toEqual({ data: { moderationRules: [{ id, severity: 60 }] } });

    const deleted = await graphql(
      subgraph.url,
      'mutation($id: ID!) { deleteModerationRule(id: $id) }',
      { id },
      await as('admin'),
    );
    expect(deleted.body).toEqual({ data: { deleteModerationRule: id } });
    expect((await graphql(subgraph.url, '{ moderationRules { id } }', {}, await as('mod'))).body).toEqual({
      data: { moderationRules: [] },
    });
    const again = await graphql(
      subgraph.url,
      'mutation($id: ID!) { deleteModerationRule(id: $id) }',
      { id },
      await as('admin'),
    );
    expect(again.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const log = await graphql(
      subgraph.url,
      'query($t: ID) { moderationAuditLog(targetId: $t) { edges { node { actor action targetType targetId } } } }',
      { t: id },
      await as('admin'),
    );
    const admin = subgraph.issuer.subjectOf('admin');
    expect(log.body).toEqual({
      data: {
        moderationAuditLog: {
          edges: ['RULE_DELETED', 'RULE_UPDATED', 'RULE_CREATED'].map((action) => ({
            node: { actor: admin, action, targetType: 'RULE', targetId: id },
          })),
        },
      },
    });
  });

  it('moderators and users cannot manage rules', async () => {
    for (const username of ['mod', 'alice']) {
      const { body } = await graphql(
        subgraph.url,
        CREATE,
        { input: { pattern: 'x', severity: 1, action: 'FLAG' } },
        await as(username),
      );
      expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
    }
  });

  it.each([
    ['a pattern with catastrophic backtracking', '^(a+)+$', /^may backtrack catastrophically \(exponential.*\)$/],
    ['nested quantifiers over words', String.raw`(\w+\s?)+$`, /^may backtrack catastrophically/],
    ['an invalid one', '(unclosed', /^is not a valid regular expression/],
    ['one that matches empty text', 'x*', /^must not match empty text$/],
    ['a too long one', 'a'.repeat(201), /^must be at most 200 characters$/],
  ])('refuses %s', async (_name, pattern, message) => {
    const { body } = await graphql(
      subgraph.url,
      CREATE,
      { input: { pattern, kind: 'REGEX', severity: 5, action: 'HIDE' } },
      await as('admin'),
    );
    expect(body.data).toBeNull();
    expect(body.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.pattern',
      problems: [{ field: 'input.pattern', message: expect.stringMatching(message) }],
    });
  });

  it('refuses a pattern that cannot be proven safe within the time budget', async () => {
    // recheck needs seconds for these bounded repetitions: an analysis cut short counts as unsafe.
    expect(await patternProblems('REGEX', 'a{1,30}b{1,30}c{1,30}(d|e){1,30}', 200)).toEqual([
      'could not be proven safe from catastrophic backtracking within 200 ms',
    ]);
  });

  it('reports every invalid field at once', async () => {
    const { body } = await graphql(
      subgraph.url,
      CREATE,
      { input: { pattern: ' ', kind: 'WORD', severity: 0, action: 'FLAG' } },
      await as('admin'),
    );
    expect(body.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      problems: [
        { field: 'input.severity', message: 'must be between 1 and 100' },
        { field: 'input.pattern', message: 'must not be empty' },
      ],
    });
    expect((await graphql(subgraph.url, '{ moderationRules { id } }', {}, await as('admin'))).body).toEqual({
      data: { moderationRules: [] },
    });
  });
});
