import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MemoryDenylist } from '@supergraph/auth';
import { createServer } from '@supergraph/users';
import { graphql, startTestSubgraph, type TestSubgraph } from '@supergraph/testing';

let subgraph: TestSubgraph;
const denylist = new MemoryDenylist();
const auth = async (username: string) => ({ authorization: `Bearer ${await subgraph.token(username)}` });
const CREATE = 'mutation($input: CreateUserInput!) { createUser(input: $input) { id handle displayName bio } }';

async function count(table: string): Promise<number> {
  const [row] = await subgraph.server.orm.em
    .fork()
    .getConnection()
    .execute<{ n: string }[]>(`select count(*) as n from "users"."${table}"`);
  return Number(row?.n);
}

beforeAll(async () => {
  subgraph = await startTestSubgraph(createServer, {
    extra: (issuer) => ({
      denylist,
      identityAdmin: { setEnabled: async (subject: string, enabled: boolean) => issuer.setEnabled(subject, enabled) },
    }),
  });
});
afterAll(() => subgraph?.stop());

describe('me', () => {
  it('creates the caller’s profile on first call, with the token’s subject as id, and returns it after', async () => {
    const headers = await auth('alice');
    const first = await graphql(subgraph.url, '{ me { id handle displayName } }', {}, headers);
    const expected = {
      data: { me: { id: subgraph.issuer.subjectOf('alice'), handle: 'alice', displayName: 'Alice Anderson' } },
    };
    expect(first.body).toEqual(expected);
    expect((await graphql(subgraph.url, '{ me { id handle displayName } }', {}, headers)).body).toEqual(expected);
    expect(await count('user')).toBe(1);
  });

  it('needs a token: anonymous callers get UNAUTHORIZED_FIELD_OR_TYPE, forged tokens 401', async () => {
    const anonymous = await graphql(subgraph.url, '{ me { id } }');
    expect(anonymous.body).toEqual({
      data: { me: null },
      errors: [
        {
          message: 'Unauthorized field or type',
          locations: [{ line: 1, column: 3 }],
          path: ['me'],
          extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' },
        },
      ],
    });
    const token = await subgraph.token('alice');
    const [header, payload] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), realm_access: { roles: ['admin'] } })).toString('base64url')}.${token.split('.')[2]}`;
    const refused = await graphql(subgraph.url, '{ me { id } }', {}, { authorization: `Bearer ${forged}` });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token", error_description="token signature invalid"',
    );
    expect(refused.body).toEqual({
      errors: [{ message: 'Unauthenticated: token signature invalid', extensions: { code: 'UNAUTHENTICATED' } }],
    });
  });

  it('is null for service accounts, which have no profile', async () => {
    const { body } = await graphql(subgraph.url, '{ me { id } }', {}, await auth('service-account-partner-acme'));
    expect(body).toEqual({ data: { me: null } });
  });
});

describe('createUser (admins only)', () => {
  it('refuses non-admins', async () => {
    const { body } = await graphql(
      subgraph.url,
      CREATE,
      { input: { handle: 'x_y_z', displayName: 'X' } },
      await auth('bob'),
    );
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHORIZED_FIELD_OR_TYPE' });
  });

  it('reports every invalid field at once with BAD_USER_INPUT and writes nothing', async () => {
    const [users, events] = [await count('user'), await count('outbox_event')];
    const { body } = await graphql(
      subgraph.url,
      CREATE,
      { input: { handle: 'a!', displayName: '   ', bio: 'b'.repeat(501) } },
      await auth('admin'),
    );
    expect(body).toEqual({
      data: null,
      errors: [
        {
          message:
            'Invalid input: input.handle must be 3–30 letters, digits or underscores; input.displayName must not be empty; input.bio must be at most 500 characters',
          locations: [{ line: 1, column: 38 }],
          path: ['createUser'],
          extensions: {
            code: 'BAD_USER_INPUT',
            problems: [
              { field: 'input.handle', message: 'must be 3–30 letters, digits or underscores' },
              { field: 'input.displayName', message: 'must not be empty' },
              { field: 'input.bio', message: 'must be at most 500 characters' },
            ],
          },
        },
      ],
    });
    expect([await count('user'), await count('outbox_event')]).toEqual([users, events]);
  });

  it('creates a profile, records UserCreated in the same transaction, and refuses a taken handle with CONFLICT', async () => {
    const headers = await auth('admin');
    const { body } = await graphql(
      subgraph.url,
      CREATE,
      { input: { handle: ' Grace_H ', displayName: ' Grace ', bio: 'x' } },
      headers,
    );
    expect(body.data).toEqual({
      createUser: { id: expect.any(String), handle: 'grace_h', displayName: 'Grace', bio: 'x' },
    });
    const [event] = await subgraph.server.orm.em
      .fork()
      .getConnection()
      .execute<{ type: string; payload: unknown }[]>(
        `select type, payload from "users"."outbox_event" order by id desc limit 1`,
      );
    expect(event).toEqual({
      type: 'UserCreated',
      payload: { id: (body.data as { createUser: { id: string } }).createUser.id, handle: 'grace_h' },
    });
    const again = await graphql(subgraph.url, CREATE, { input: { handle: 'GRACE_H', displayName: 'Other' } }, headers);
    expect(again.body.errors?.[0]).toMatchObject({
      message: 'The handle "grace_h" is taken',
      extensions: { code: 'CONFLICT', field: 'input.handle' },
    });
  });
});

describe('queries', () => {
  it('pages users in creation order with opaque cursors', async () => {
    const first = await graphql(
      subgraph.url,
      '{ users(first: 1) { edges { node { handle } } pageInfo { hasNextPage endCursor } } }',
    );
    const page1 = (
      first.body.data as { users: { edges: unknown[]; pageInfo: { endCursor: string; hasNextPage: boolean } } }
    ).users;
    expect(page1.edges).toEqual([{ node: { handle: 'alice' } }]);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const second = await graphql(
      subgraph.url,
      'query($after: String) { users(first: 5, after: $after) { edges { node { handle } } pageInfo { hasNextPage } } }',
      {
        after: page1.pageInfo.endCursor,
      },
    );
    expect(second.body).toEqual({
      data: { users: { edges: [{ node: { handle: 'grace_h' } }], pageInfo: { hasNextPage: false } } },
    });
  });

  it('answers null without error for an unknown or malformed id', async () => {
    const { body } = await graphql(
      subgraph.url,
      '{ a: user(id: "01900000-0000-7000-8000-0000000000ff") { id } b: user(id: "x") { id } }',
    );
    expect(body).toEqual({ data: { a: null, b: null } });
  });

  it('rejects bad page arguments with BAD_USER_INPUT', async () => {
    const { body } = await graphql(subgraph.url, '{ a: users(first: 0) { edges { cursor } } }');
    expect(body.errors?.[0]).toMatchObject({
      message: 'Invalid value for first: must be between 1 and 100',
      extensions: { code: 'BAD_USER_INPUT', field: 'first' },
    });
    const cursor = await graphql(subgraph.url, '{ users(after: "bm9wZQ") { edges { cursor } } }');
    expect(cursor.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('updateProfile', () => {
  it('updates the caller’s own profile, only the given fields', async () => {
    const headers = await auth('bob');
    const { body } = await graphql(
      subgraph.url,
      'mutation { updateProfile(input: { bio: "hi" }) { handle displayName bio } }',
      {},
      headers,
    );
    expect(body).toEqual({ data: { updateProfile: { handle: 'bob', displayName: 'Bob Brown', bio: 'hi' } } });
    const cleared = await graphql(
      subgraph.url,
      'mutation { updateProfile(input: { bio: null }) { bio } }',
      {},
      headers,
    );
    expect(cleared.body).toEqual({ data: { updateProfile: { bio: null } } });
  });
});

describe('disableUser / enableUser (admins only)', () => {
  it('disables the account at the issuer, denies its subject, audits, and enables it again', async () => {
    const bob = subgraph.issuer.subjectOf('bob');
    const admin = await auth('admin');
    const plain = await graphql(
      subgraph.url,
      'mutation($id: ID!) { disableUser(id: $id, reason: "spam") { id } }',
      { id: bob },
      await auth('alice'),
    );
    expect(plain.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHORIZED_FIELD_OR_TYPE' });

    const disabled = await graphql(
      subgraph.url,
      'mutation($id: ID!) { disableUser(id: $id, reason: "spam") { handle accountStatus } }',
      { id: bob },
      admin,
    );
    expect(disabled.body).toEqual({ data: { disableUser: { handle: 'bob', accountStatus: 'DISABLED' } } });
    expect(await denylist.has(bob)).toBe(true);
    await expect(subgraph.issuer.mintToken('bob')).resolves.toEqual(expect.any(String)); // minting bypasses login
    const login = await fetch(subgraph.issuer.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'supergraph-web',
        username: 'bob',
        password: 'user-password',
      }),
    });
    expect([login.status, await login.json()]).toEqual([
      400,
      { error: 'invalid_grant', error_description: 'Account disabled' },
    ]);

    const enabled = await graphql(
      subgraph.url,
      'mutation($id: ID!) { enableUser(id: $id) { accountStatus auditLog { action reason actor } } }',
      { id: bob },
      admin,
    );
    expect(enabled.body).toEqual({
      data: {
        enableUser: {
          accountStatus: 'ACTIVE',
          auditLog: [
            { action: 'ENABLED', reason: null, actor: subgraph.issuer.subjectOf('admin') },
            { action: 'DISABLED', reason: 'spam', actor: subgraph.issuer.subjectOf('admin') },
          ],
        },
      },
    });
    expect(await denylist.has(bob)).toBe(false);
  });

  it('refuses an unknown user, an empty reason and disabling oneself', async () => {
    const admin = await auth('admin');
    const unknown = await graphql(
      subgraph.url,
      'mutation { disableUser(id: "01900000-0000-7000-8000-0000000000ff", reason: "x") { id } }',
      {},
      admin,
    );
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const empty = await graphql(
      subgraph.url,
      'mutation($id: ID!) { disableUser(id: $id, reason: " ") { id } }',
      { id: subgraph.issuer.subjectOf('alice') },
      admin,
    );
    expect(empty.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    await graphql(subgraph.url, '{ me { id } }', {}, admin);
    const self = await graphql(
      subgraph.url,
      'mutation($id: ID!) { disableUser(id: $id, reason: "oops") { id } }',
      { id: subgraph.issuer.subjectOf('admin') },
      admin,
    );
    expect(self.body.errors?.[0]?.message).toBe('Admins cannot disable their own account');
  });
});
