import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTokenVerifier } from '@supergraph/auth';
import type { DevIssuer } from '@supergraph/local-infra';
import { startTestIssuer } from '@supergraph/testing';
import { post, startEdgeFixture, type EdgeFixture } from './edge-fixtures.js';

const APP = 'https://app.example.com';

describe('gateway edge: CORS, CSRF, security headers, introspection, error masking (production settings)', () => {
  let fixture: EdgeFixture;
  let issuer: DevIssuer;

  beforeAll(async () => {
    issuer = await startTestIssuer();
    fixture = await startEdgeFixture({
      verifier: createTokenVerifier({ issuer: issuer.issuer }),
      edge: { introspection: 'admins', cors: { allowedOrigins: [APP] } },
    });
  });
  afterAll(async () => {
    await fixture.stop();
    await issuer.stop();
  });

  it('answers a preflight from an allowed origin, and only from it', async () => {
    const preflight = (origin: string) =>
      fetch(fixture.url, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, authorization',
        },
      });
    const allowed = await preflight(APP);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP);
    expect(allowed.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
    expect(allowed.headers.get('vary')).toContain('Origin');

    const other = await preflight('https://evil.example.net');
    expect(other.status).toBe(204);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('names the allowed origin on actual requests and exposes the rate-limit headers', async () => {
    const { status, headers } = await post(fixture.url, { query: '{ me { id } }' }, { origin: APP });
    expect(status).toBe(200);
    expect(headers.get('access-control-allow-origin')).toBe(APP);
    expect(headers.get('access-control-expose-headers')).toContain('retry-after');
    const other = await post(fixture.url, { query: '{ me { id } }' }, { origin: 'https://evil.example.net' });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('blocks requests a browser sends cross-site without a preflight (CSRF)', async () => {
    const form = await fetch(fixture.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: 'mutation { rename(name: "pwned") { id } }' }),
    });
    expect(form.status).toBe(400);
    expect(await form.json()).toEqual({
      errors: [{ message: expect.stringContaining('Cross-Site Request Forgery'), extensions: { code: 'BAD_REQUEST' } }],
    });
    const url = `${fixture.url}?query=${encodeURIComponent('{ me { id } }')}`;
    expect((await fetch(url)).status).toBe(400);
    expect((await fetch(url, { headers: { 'apollo-require-preflight': 'true' } })).status).toBe(200);
    expect(fixture.subgraphs.accounts.calls.mutation).toBe(0);
  });

  it('sets the security headers on every answer, errors and health included', async () => {
    for (const response of [
      await fetch(fixture.url.replace('/graphql', '/health/live')),
      await fetch(fixture.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }),
    ]) {
      expect({
        hsts: response.headers.get('strict-transport-security'),
        nosniff: response.headers.get('x-content-type-options'),
        csp: response.headers.get('content-security-policy'),
        frame: response.headers.get('x-frame-options'),
        referrer: response.headers.get('referrer-policy'),
        requestId: response.headers.get('x-request-id'),
      }).toEqual({
        hsts: 'max-age=31536000; includeSubDomains',
        nosniff: 'nosniff',
        csp: "default-src 'none'; frame-ancestors 'none'",
        frame: 'DENY',
        referrer: 'no-referrer',
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
    }
  });

  it('answers malformed JSON with a GraphQL error, not an HTML page with a stack trace', async () => {
    const response = await fetch(fixture.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      errors: [{ message: 'The request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }],
    });
    expect(text).not.toMatch(/at .*\.js|node_modules/);
  });

  it('lets only admins introspect', async () => {
    const introspect = (headers: Record<string, string> = {}) =>
      post(fixture.url, { query: '{ __schema { queryType { name } } }' }, headers);
    expect(await introspect()).toMatchObject({
      status: 403,
      body: {
        errors: [
          {
            message: 'Introspection is only allowed for administrators',
            extensions: { code: 'FORBIDDEN', reason: 'introspection' },
          },
        ],
      },
    });
    const alice = await introspect({ authorization: `Bearer ${await issuer.mintToken('alice')}` });
    expect(alice.status).toBe(403);
    const admin = await introspect({ authorization: `Bearer ${await issuer.mintToken('admin')}` });
    expect(admin).toMatchObject({ status: 200, body: { data: { __schema: { queryType: { name: 'Query' } } } } });
    // __type too; __typename stays available to everyone (clients' caches need it).
    expect((await post(fixture.url, { query: '{ __type(name: "Account") { name } }' })).status).toBe(403);
    expect((await post(fixture.url, { query: '{ __typename me { __typename } }' })).body).toEqual({
      data: { __typename: 'Query', me: { __typename: 'Account' } },
    });
  });

  it('does not suggest field names that introspection hides', async () => {
    const { body } = await post(fixture.url, { query: '{ me { nam } }' });
    expect(body.errors).toEqual([
      {
        message: 'Cannot query field "nam" on type "Account".',
        locations: [{ line: 1, column: 8 }],
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      },
    ]);
  });

  it('masks a subgraph failure (no SQL, no stack) and logs the original with the request id', async () => {
    const { status, headers, body } = await post(
      fixture.url,
      { query: '{ boom products(first: 1) { id } }' },
      { 'x-request-id': 'edge-mask-1' },
    );
    expect(status).toBe(200);
    expect(headers.get('x-request-id')).toBe('edge-mask-1');
    expect(body).toEqual({
      data: { boom: null, products: [{ id: 'p1' }] },
      errors: [
        {
          message: 'The accounts service failed',
          path: ['boom'],
          extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'accounts' },
        },
      ],
    });
    expect(JSON.stringify(body)).not.toMatch(/INSERT|account_pkey|stacktrace/);
    const logged = fixture
      .logLines()
      .find((line) => line.requestId === 'edge-mask-1' && line.msg === 'unexpected error');
    expect(JSON.stringify(logged)).toContain('duplicate key value violates unique constraint');
  });
});

describe('gateway edge: development settings', () => {
  let fixture: EdgeFixture;
  beforeAll(async () => {
    fixture = await startEdgeFixture({ edge: { introspection: 'public', securityHeaders: { hstsMaxAgeSeconds: 0 } } });
  });
  afterAll(() => fixture.stop());

  it('lets anyone introspect, suggests names, and sends no HSTS over plain HTTP', async () => {
    const { status, headers } = await post(fixture.url, { query: '{ __schema { queryType { name } } }' });
    expect(status).toBe(200);
    expect(headers.get('strict-transport-security')).toBeNull();
    const { body } = await post(fixture.url, { query: '{ me { nam } }' });
    expect(body.errors?.[0]?.message).toBe('Cannot query field "nam" on type "Account". Did you mean "name"?');
  });

  it('has no allowed origins unless configured', async () => {
    const { headers } = await post(fixture.url, { query: '{ me { id } }' }, { origin: APP });
    expect(headers.get('access-control-allow-origin')).toBeNull();
  });
});
