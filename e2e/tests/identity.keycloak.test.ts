/**
 * Identity end to end, twice: against a real Keycloak (the acceptance), and against the development
 * issuer of the embedded default, which must behave the same for everything the product relies on.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, startStack, type Stack } from '@supergraph/stack';
import { graphql, startKeycloak, testDatabase, testLogger, testRedis, type KeycloakServer } from '@supergraph/testing';

interface IssuerUnderTest {
  readonly stack: Stack;
  readonly tokenUrl: string;
  /** An access token signed by the issuer whose `aud` lacks the API. */
  wrongAudience(): Promise<string>;
  /** A token of the issuer's that expired more than the tolerated skew ago. */
  expired(): Promise<string>;
  /** A token from some other issuer. */
  foreign(): Promise<string>;
  stop(): Promise<void>;
}

async function tokenRequest(tokenUrl: string, form: Record<string, string>, basic?: string) {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: basic ? { authorization: `Basic ${Buffer.from(basic).toString('base64')}` } : {},
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

const login = async (tokenUrl: string, username: string, password: string) =>
  (await tokenRequest(tokenUrl, { grant_type: 'password', client_id: 'supergraph-web', username, password })).body
    .access_token!;

function persistedId(client: string, name: string): string {
  const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'partners', client, 'manifest.json'), 'utf8')) as {
    operations: { id: string; name: string }[];
  };
  return manifest.operations.find((operation) => operation.name === name)!.id;
}

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
}

async function withKeycloak(): Promise<IssuerUnderTest> {
  const keycloak: KeycloakServer = await startKeycloak();
  const db = await testDatabase();
  const redis = testRedis();
  const stack = await startStack({
    logger: testLogger().logger,
    databaseUrl: db.serverUrl,
    databaseName: db.name,
    redisUrl: redis.url,
    redisKeyPrefix: redis.keyPrefix,
    gatewayPort: 0,
    oidc: { issuer: keycloak.issuer, adminClientSecret: 'admin-client-dev-secret' },
  });
  const realmAdmin = async (body: Record<string, unknown>) => {
    const response = await fetch(`${keycloak.url}/admin/realms/supergraph`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${await keycloak.masterAdminToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(204);
  };
  return {
    stack,
    tokenUrl: keycloak.tokenUrl,
    async wrongAudience() {
      // An ID token: same issuer and keys, but its audience is the web client, not the API.
      const { body } = await tokenRequest(keycloak.tokenUrl, {
        grant_type: 'password',
        client_id: 'supergraph-web',
        username: 'alice',
        password: 'user-password',
        scope: 'openid',
      });
      expect(payloadOf(body.id_token!).aud).toBe('supergraph-web');
      return body.id_token!;
    },
    async expired() {
      await realmAdmin({ accessTokenLifespan: 1 });
      try {
        const token = await login(keycloak.tokenUrl, 'alice', 'user-password');
        await new Promise((resolve) => setTimeout(resolve, 7_000)); // past expiry plus the 5 s skew tolerance
        return token;
      } finally {
        await realmAdmin({ accessTokenLifespan: 300 });
      }
    },
    foreign: () => keycloak.masterAdminToken(),
    async stop() {
      await stack.stop();
      await db.drop();
      await keycloak.stop();
    },
  };
}

async function withDevIssuer(): Promise<IssuerUnderTest> {
  const db = await testDatabase();
  const stack = await startStack({
    logger: testLogger().logger,
    databaseUrl: db.serverUrl,
    databaseName: db.name,
    gatewayPort: 0,
  });
  const other = await startStack({
    logger: testLogger().logger,
    databaseUrl: db.serverUrl,
    databaseName: `${db.name}_other`,
    gatewayPort: 0,
  });
  const issuer = stack.devIssuer!;
  return {
    stack,
    tokenUrl: issuer.tokenUrl,
    wrongAudience: () => issuer.mintToken('alice', 'supergraph-web', { aud: 'supergraph-web' }),
    expired: () => issuer.mintToken('alice', 'supergraph-web', { exp: Math.floor(Date.now() / 1000) - 10 }),
    foreign: () => other.devIssuer!.mintToken('alice'),
    async stop() {
      await stack.stop();
      await other.stop();
      await db.drop();
    },
  };
}

describe.each([
  ['Keycloak', withKeycloak],
  ['the development issuer', withDevIssuer],
])('identity with %s', (_name, setup) => {
  let issuer: IssuerUnderTest;
  let gateway: string;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    issuer = await setup();
    gateway = issuer.stack.gatewayUrl;
  }, 300_000);
  afterAll(() => issuer?.stop(), 60_000);

  it('a user token from the password grant reads `me`', async () => {
    const token = await login(issuer.tokenUrl, 'alice', 'user-password');
    const { status, body } = await graphql(gateway, '{ me { handle displayName } }', {}, bearer(token));
    expect([status, body]).toEqual([200, { data: { me: { handle: 'alice', displayName: 'Alice Anderson' } } }]);
  });

  it('anonymous callers read public fields', async () => {
    const { status, body } = await graphql(gateway, '{ users(first: 1) { edges { node { handle } } } }');
    expect([status, body]).toEqual([200, { data: { users: { edges: [{ node: { handle: 'alice' } }] } } }]);
  });

  it('a partner token from client credentials reaches a partner-scoped field; a user token does not', async () => {
    const partner = await tokenRequest(
      issuer.tokenUrl,
      { grant_type: 'client_credentials' },
      'partner-acme:acme-dev-secret',
    );
    expect(partner.status).toBe(200);
    // Partners run their safelisted operations by id (partners/partner-acme/manifest.json).
    const allowed = await fetch(gateway, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(partner.body.access_token!) },
      body: JSON.stringify({
        documentId: `sha256:${persistedId('partner-acme', 'LatestPosts')}`,
        variables: { first: 1 },
      }),
    });
    expect(await allowed.json()).toEqual({
      data: { partnerPosts: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } } },
    });
    const user = await graphql(
      gateway,
      '{ partnerPosts(first: 1) { edges { cursor } } }',
      {},
      bearer(await login(issuer.tokenUrl, 'alice', 'user-password')),
    );
    expect(user.body).toEqual({
      errors: [
        {
          message: 'Unauthorized field or type',
          path: ['partnerPosts'],
          extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' },
        },
      ],
    });
  });

  it('a moderator-only field is null with UNAUTHORIZED_FIELD_OR_TYPE for a plain user, and served to a moderator', async () => {
    const query = '{ me { handle } moderationRules { pattern } }';
    const plain = await graphql(gateway, query, {}, bearer(await login(issuer.tokenUrl, 'alice', 'user-password')));
    expect(plain.body).toEqual({
      data: { me: { handle: 'alice' }, moderationRules: null },
      errors: [
        {
          message: 'Unauthorized field or type',
          path: ['moderationRules'],
          extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' },
        },
      ],
    });
    const moderator = await graphql(
      gateway,
      query,
      {},
      bearer(await login(issuer.tokenUrl, 'mod', 'moderator-password')),
    );
    expect(moderator.body).toEqual({ data: { me: { handle: 'mod' }, moderationRules: [] } });
  });

  it('every kind of bad token gets 401, WWW-Authenticate and UNAUTHENTICATED, never a 500', async () => {
    const good = await login(issuer.tokenUrl, 'alice', 'user-password');
    const [header, payload, signature] = good.split('.');
    const cases: [string, string, string][] = [
      [
        'bad signature',
        `${header}.${Buffer.from(JSON.stringify({ ...payloadOf(good), realm_access: { roles: ['admin'] } })).toString('base64url')}.${signature}`,
        'token signature invalid',
      ],
      [
        'alg none',
        `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`,
        'token algorithm not allowed',
      ],
      ['other issuer', await issuer.foreign(), 'token signed by an unknown key'],
      ['wrong audience', await issuer.wrongAudience(), 'token aud claim invalid'],
      ['expired', await issuer.expired(), 'token expired'],
      ['malformed', 'abc.def', 'token malformed'],
    ];
    for (const [name, token, reason] of cases) {
      const response = await graphql(gateway, '{ users(first: 1) { edges { cursor } } }', {}, bearer(token));
      expect({
        name,
        status: response.status,
        challenge: response.headers.get('www-authenticate'),
        body: response.body,
      }).toEqual({
        name,
        status: 401,
        challenge: `Bearer error="invalid_token", error_description="${reason}"`,
        body: { errors: [{ message: `Unauthenticated: ${reason}`, extensions: { code: 'UNAUTHENTICATED' } }] },
      });
    }
  }, 60_000);

  it('a subgraph called directly refuses a forged token and denies protected fields without one', async () => {
    const users = issuer.stack.subgraphUrls.users;
    const good = await login(issuer.tokenUrl, 'admin', 'admin-password');
    const [header, , signature] = good.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...payloadOf(good), sub: 'someone-else' })).toString('base64url')}.${signature}`;
    const refused = await graphql(users, '{ me { id } }', {}, bearer(forged));
    expect(refused.status).toBe(401);
    expect(refused.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    const anonymous = await graphql(
      users,
      'mutation { createUser(input: { handle: "sneaky", displayName: "S" }) { id } }',
    );
    expect(anonymous.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHORIZED_FIELD_OR_TYPE' });
  });

  it('a disabled user’s existing token is refused at once and a new login fails; enabling restores access', async () => {
    const bobToken = await login(issuer.tokenUrl, 'bob', 'user-password');
    const { body: me } = await graphql<{ me: { id: string } }>(gateway, '{ me { id } }', {}, bearer(bobToken));
    const admin = bearer(await login(issuer.tokenUrl, 'admin', 'admin-password'));
    const disabled = await graphql(
      gateway,
      'mutation($id: ID!) { disableUser(id: $id, reason: "abuse") { accountStatus } }',
      { id: me.data!.me.id },
      admin,
    );
    expect(disabled.body).toEqual({ data: { disableUser: { accountStatus: 'DISABLED' } } });

    const refused = await graphql(gateway, '{ me { id } }', {}, bearer(bobToken));
    expect([refused.status, refused.body]).toEqual([
      401,
      { errors: [{ message: 'Unauthenticated: token revoked', extensions: { code: 'UNAUTHENTICATED' } }] },
    ]);
    const relogin = await tokenRequest(issuer.tokenUrl, {
      grant_type: 'password',
      client_id: 'supergraph-web',
      username: 'bob',
      password: 'user-password',
    });
    expect(relogin.status).toBe(400);
    expect(relogin.body.error).toBe('invalid_grant');

    const enabled = await graphql(
      gateway,
      'mutation($id: ID!) { enableUser(id: $id) { accountStatus auditLog { action reason } } }',
      { id: me.data!.me.id },
      admin,
    );
    expect(enabled.body).toEqual({
      data: {
        enableUser: {
          accountStatus: 'ACTIVE',
          auditLog: [
            { action: 'ENABLED', reason: null },
            { action: 'DISABLED', reason: 'abuse' },
          ],
        },
      },
    });
    const again = await login(issuer.tokenUrl, 'bob', 'user-password');
    expect((await graphql(gateway, '{ me { id } }', {}, bearer(again))).body).toEqual({
      data: { me: { id: me.data!.me.id } },
    });
  });
});
