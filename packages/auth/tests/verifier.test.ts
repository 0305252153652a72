import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT, generateKeyPair } from 'jose';
import { authenticate, createTokenVerifier, MemoryDenylist, type TokenVerifier } from '@supergraph/auth';
import { startDevIssuer, type DevIssuer } from '@supergraph/local-infra';
import { fileURLToPath } from 'node:url';

// This package sits below @supergraph/testing (which depends on it), so it starts issuers itself.
const REALM_FILE = fileURLToPath(new URL('../../../keycloak/realms/supergraph.json', import.meta.url));
const startTestIssuer = () => startDevIssuer({ realmFile: REALM_FILE, env: {} });

let issuer: DevIssuer;
let other: DevIssuer;
let verifier: TokenVerifier;

beforeAll(async () => {
  issuer = await startTestIssuer();
  other = await startTestIssuer();
  verifier = createTokenVerifier({ issuer: issuer.issuer });
});
afterAll(async () => {
  await issuer?.stop();
  await other?.stop();
});

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
}

async function login(username: string, password: string) {
  const response = await fetch(issuer.tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', client_id: 'supergraph-web', username, password }),
  });
  return (await response.json()) as { access_token: string };
}

describe('token verification against the issuer’s JWKS', () => {
  it('maps a password-grant token to an identity with roles as role:<name> scopes', async () => {
    const { access_token } = await login('mod', 'moderator-password');
    expect(await verifier.verify(access_token)).toEqual({
      subject: issuer.subjectOf('mod'),
      clientId: 'supergraph-web',
      username: 'mod',
      email: 'mod@supergraph.example',
      name: 'Morgan Moderator',
      roles: ['default-roles-supergraph', 'user', 'offline_access', 'uma_authorization', 'moderator'],
      scopes: [
        'profile',
        'email',
        'role:default-roles-supergraph',
        'role:user',
        'role:offline_access',
        'role:uma_authorization',
        'role:moderator',
      ],
      isServiceAccount: false,
      expiresAt: payloadOf(access_token).exp,
    });
  });

  it('maps a client-credentials token to a service account with its scopes', async () => {
    const response = await fetch(issuer.tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('partner-acme:acme-dev-secret').toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    const { access_token } = (await response.json()) as { access_token: string };
    const identity = await verifier.verify(access_token);
    expect(identity).toMatchObject({ clientId: 'partner-acme', isServiceAccount: true, roles: ['partner'] });
    expect([...identity.scopes].sort()).toEqual(['email', 'partner:orders', 'partner:read', 'profile', 'role:partner']);
  });

  const refusals: [string, () => Promise<string>, string][] = [
    [
      'a bad signature',
      async () => {
        const token = await issuer.mintToken('alice');
        const [header, , signature] = token.split('.');
        return `${header}.${Buffer.from(JSON.stringify({ ...payloadOf(token), realm_access: { roles: ['admin'] } })).toString('base64url')}.${signature}`;
      },
      'token signature invalid',
    ],
    [
      'alg none',
      async () => {
        const payload = payloadOf(await issuer.mintToken('alice'));
        return `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
      },
      'token algorithm not allowed',
    ],
    ['another issuer', () => other.mintToken('alice'), 'token signed by an unknown key'],
    [
      'another issuer’s name on our key',
      () => issuer.mintToken('alice', 'supergraph-web', { iss: other.issuer }),
      'token iss claim invalid',
    ],
    [
      'a wrong audience',
      () => issuer.mintToken('alice', 'supergraph-web', { aud: 'account' }),
      'token aud claim invalid',
    ],
    [
      'an expired token',
      () => issuer.mintToken('alice', 'supergraph-web', { exp: Math.floor(Date.now() / 1000) - 60 }),
      'token expired',
    ],
    [
      'a token signed with HMAC',
      async () => {
        return new SignJWT(payloadOf(await issuer.mintToken('alice')))
          .setProtectedHeader({ alg: 'HS256' })
          .sign(new TextEncoder().encode('x'.repeat(32)));
      },
      'token algorithm not allowed',
    ],
    [
      'a key the issuer never published',
      async () => {
        const { privateKey } = await generateKeyPair('RS256');
        const token = await issuer.mintToken('alice');
        const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string };
        return new SignJWT(payloadOf(token)).setProtectedHeader({ alg: 'RS256', kid: header.kid }).sign(privateKey);
      },
      'token signature invalid',
    ],
    ['a malformed token', async () => 'not.a.jwt', 'token malformed'],
  ];

  it.each(refusals)('refuses %s', async (_case, make, reason) => {
    const result = await authenticate(`Bearer ${await make()}`, verifier);
    expect(result).toEqual({
      ok: false,
      status: 401,
      message: reason,
      wwwAuthenticate: `Bearer error="invalid_token", error_description="${reason}"`,
    });
  });

  it('remembers a verified token only until it expires', async () => {
    const token = await issuer.mintToken('alice', 'supergraph-web', { exp: Math.floor(Date.now() / 1000) - 3 });
    const first = await verifier.verify(token);
    expect(await verifier.verify(token)).toBe(first); // the cached identity
    await new Promise((resolve) => setTimeout(resolve, 2_200)); // now past exp + 5 s tolerance
    await expect(verifier.verify(token)).rejects.toThrow('token expired');
  });

  it('tolerates a few seconds of clock skew', async () => {
    const token = await issuer.mintToken('alice', 'supergraph-web', { exp: Math.floor(Date.now() / 1000) - 2 });
    await expect(verifier.verify(token)).resolves.toMatchObject({ username: 'alice' });
  });

  it('is anonymous without a header, refuses a non-bearer header, and refuses denied subjects', async () => {
    expect(await authenticate(undefined, verifier)).toEqual({ ok: true, identity: undefined });
    expect(await authenticate('Basic YTpi', verifier)).toMatchObject({
      ok: false,
      message: 'authorization header is not a bearer token',
    });
    const denylist = new MemoryDenylist();
    await denylist.add(issuer.subjectOf('bob'), 60);
    expect(await authenticate(`Bearer ${await issuer.mintToken('bob')}`, verifier, denylist)).toMatchObject({
      ok: false,
      message: 'token revoked',
    });
    expect(await authenticate(`Bearer ${await issuer.mintToken('alice')}`, verifier, denylist)).toMatchObject({
      ok: true,
    });
  });

  it('the development issuer refuses to run in production', async () => {
    await expect(startDevIssuer({ realmFile: REALM_FILE, env: { NODE_ENV: 'production' } })).rejects.toThrow(
      'the development token issuer refuses to run with NODE_ENV=production',
    );
  });

  it('refuses to be configured with unsafe algorithms', () => {
    expect(() => createTokenVerifier({ issuer: issuer.issuer, algorithms: ['RS256', 'none'] })).toThrow(
      'refusing unsafe JWT algorithms: none',
    );
    expect(() => createTokenVerifier({ issuer: issuer.issuer, algorithms: ['HS256'] })).toThrow(
      'refusing unsafe JWT algorithms: HS256',
    );
  });
});
