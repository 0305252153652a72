/**
 * The subject denylist shared by gateway replicas through a real Redis: what one replica adds, another
 * refuses, and is told about at once (so it can close that subject's WebSocket connections).
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { MemoryDenylist, RedisDenylist } from '@supergraph/auth';
import { eventually, testRedis } from '@supergraph/testing';

const { url, keyPrefix } = testRedis();
const replicaA = new RedisDenylist(url, keyPrefix);
const replicaB = new RedisDenylist(url, keyPrefix);

afterAll(async () => {
  await Promise.all([replicaA.close(), replicaB.close()]);
});

describe('RedisDenylist', () => {
  it('a subject added at one replica is denied at another until its TTL ends', async () => {
    await replicaA.add('subject-ttl', 1);
    expect(await replicaB.has('subject-ttl')).toBe(true);
    expect(await replicaB.has('someone-else')).toBe(false);
    await eventually(async () => expect(await replicaB.has('subject-ttl')).toBe(false), 3_000);
  });

  it('tells every replica listening about each added subject, and stops when unsubscribed', async () => {
    const heard: string[] = [];
    const stop = replicaB.onAdded((subject) => heard.push(subject));
    // The subscription is asynchronous: add until the first notice arrives, then once more.
    await eventually(async () => {
      await replicaA.add('subject-1', 60);
      expect(heard).toContain('subject-1');
    }, 3_000);
    await replicaA.add('subject-2', 60);
    await eventually(async () => expect(heard).toContain('subject-2'), 3_000);
    stop();
    await replicaA.add('subject-3', 60);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(heard).not.toContain('subject-3');
  });
});

describe('MemoryDenylist', () => {
  it('tells listeners of this process about each added subject', async () => {
    const denylist = new MemoryDenylist();
    const heard: string[] = [];
    const stop = denylist.onAdded((subject) => heard.push(subject));
    await denylist.add('a', 60);
    stop();
    await denylist.add('b', 60);
    expect(heard).toEqual(['a']);
    expect(await denylist.has('b')).toBe(true);
  });
});
