import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { createTokenVerifier } from '@supergraph/auth';
import type { DevIssuer } from '@supergraph/local-infra';
import { startTestIssuer, testRedis } from '@supergraph/testing';
import { MemoryRateLimitStore, RedisRateLimitStore, type RateLimitStore } from '../src/edge/index.js';
import { post, startEdgeFixture, type EdgeFixture } from './edge-fixtures.js';

const QUERY = { query: '{ me { id } }' };
const MUTATION = { query: 'mutation { rename(name: "n") { id } }' };

describe('gateway edge: rate limits shared by two gateway replicas on one real Redis', () => {
  let fixture: EdgeFixture;
  let replicaUrl: string;
  let issuer: DevIssuer;
  const stores: RateLimitStore[] = [];
  const { url: redisUrl, keyPrefix } = testRedis();

  beforeAll(async () => {
    issuer = await startTestIssuer();
    const verifier = createTokenVerifier({ issuer: issuer.issuer });
    // Each replica its own Redis connection, as two processes would have.
    const edge = () => {
      const store = new RedisRateLimitStore(redisUrl, `${keyPrefix}rl:`);
      stores.push(store);
      return {
        rateLimit: {
          store,
          budgets: {
            anonymous: { limit: 4, windowSeconds: 60 },
            user: { limit: 6, windowSeconds: 60 },
            partner: { limit: 8, windowSeconds: 60 },
            mutation: { limit: 2, windowSeconds: 60 },
          },
        },
      };
    };
    fixture = await startEdgeFixture({ verifier, edge: edge() });
    replicaUrl = (await fixture.startReplica({ edge: edge() })).url;
  });
  afterAll(async () => {
    await fixture.stop();
    for (const store of stores) await store.close();
    await issuer.stop();
  });

  /** Sends `count` requests alternating between the two replicas; returns the statuses. */
  const alternate = async (count: number, body: unknown, headers: Record<string, string> = {}) => {
    const statuses: number[] = [];
    for (let i = 0; i < count; i += 1) {
      statuses.push((await post(i % 2 === 0 ? fixture.url : replicaUrl, body, headers)).status);
    }
    return statuses;
  };

  it('counts anonymous callers per IP across replicas; 429 with Retry-After and RateLimit headers', async () => {
    const first = await post(fixture.url, QUERY);
    expect(first.status).toBe(200);
    expect(Object.fromEntries([...first.headers].filter(([name]) => name.startsWith('ratelimit')))).toEqual({
      'ratelimit-limit': '4',
      'ratelimit-remaining': '3',
      'ratelimit-reset': '15',
      'ratelimit-policy': '4;w=60',
    });
    expect(await alternate(3, QUERY)).toEqual([200, 200, 200]);
    const refused = await post(replicaUrl, QUERY);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('15');
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(refused.body).toEqual({
      errors: [
        { message: 'Too many requests: retry after 15 s', extensions: { code: 'RATE_LIMITED', retryAfter: 15 } },
      ],
    });
    // The other replica agrees: one budget, in Redis.
    expect((await post(fixture.url, QUERY)).status).toBe(429);
  });

  it('gives each user their own budget, by subject', async () => {
    const alice = { authorization: `Bearer ${await issuer.mintToken('alice')}` };
    const bob = { authorization: `Bearer ${await issuer.mintToken('bob')}` };
    expect(await alternate(7, QUERY, alice)).toEqual([200, 200, 200, 200, 200, 200, 429]);
    // A new token of the same person does not reset the budget.
    const aliceAgain = { authorization: `Bearer ${await issuer.mintToken('alice')}` };
    expect((await post(fixture.url, QUERY, aliceAgain)).status).toBe(429);
    expect(await alternate(2, QUERY, bob)).toEqual([200, 200]);
  });

  it('gives partners a larger budget, by client id', async () => {
    const acme = { authorization: `Bearer ${await issuer.mintToken('service-account-partner-acme', 'partner-acme')}` };
    const statuses = await alternate(9, QUERY, acme);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 429]);
  });

  it('charges mutations to a budget of their own as well', async () => {
    const bob = { authorization: `Bearer ${await issuer.mintToken('bob')}` };
    // bob has 4 requests left; 2 mutations.
    expect(await alternate(2, MUTATION, bob)).toEqual([200, 200]);
    const third = await post(replicaUrl, MUTATION, bob);
    expect(third.status).toBe(429);
    expect(third.body.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', budget: 'mutation', retryAfter: 30 });
    expect(third.headers.get('ratelimit-policy')).toBe('2;w=60');
    // Queries still pass while the mutation budget is spent.
    expect((await post(fixture.url, QUERY, bob)).status).toBe(200);
    expect(fixture.subgraphs.accounts.calls.mutation).toBe(2);
  });

  it('keeps one Redis key per caller, expiring with the window', async () => {
    const redis = new Redis(redisUrl);
    try {
      const keys = (await redis.keys(`${keyPrefix}rl:*`)).sort();
      const uuid = '[0-9a-f-]{36}';
      expect(keys.map((key) => key.slice(keyPrefix.length))).toEqual([
        'rl:anonymous:ip:127.0.0.1',
        expect.stringMatching(new RegExp(`^rl:mutation:sub:${uuid}$`)),
        'rl:partner:client:partner-acme',
        expect.stringMatching(new RegExp(`^rl:user:sub:${uuid}$`)),
        expect.stringMatching(new RegExp(`^rl:user:sub:${uuid}$`)),
      ]);
      const ttl = await redis.pttl(`${keyPrefix}rl:anonymous:ip:127.0.0.1`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    } finally {
      redis.disconnect();
    }
  });
});

describe('rate-limit stores', () => {
  it('in memory (no REDIS_URL): the same budget arithmetic, per process', async () => {
    const store = new MemoryRateLimitStore();
    const policy = { limit: 3, windowSeconds: 30 };
    const decisions = [];
    for (let i = 0; i < 4; i += 1) decisions.push(await store.consume('k', policy));
    expect(
      decisions.map(({ allowed, remaining, retryAfterSeconds }) => [allowed, remaining, retryAfterSeconds]),
    ).toEqual([
      [true, 2, 0],
      [true, 1, 0],
      [true, 0, 0],
      [false, 0, 10],
    ]);
    expect((await store.consume('other', policy)).allowed).toBe(true);
    await store.close();
  });

  it('lets requests through when Redis does not answer, and says so', async () => {
    const errors: unknown[] = [];
    const store = new RedisRateLimitStore('redis://127.0.0.1:1', 'x:', (error) => errors.push(error));
    const decision = await store.consume('k', { limit: 1, windowSeconds: 60 });
    expect(decision.allowed).toBe(true);
    expect(errors.length).toBe(1);
    await store.close();
  });
});
