import { randomBytes } from 'node:crypto';

/** The run's Redis and a key prefix of this test file's own. */
export function testRedis(): { url: string; keyPrefix: string } {
  const url = process.env.SUPERGRAPH_TEST_REDIS;
  if (!url) throw new Error('SUPERGRAPH_TEST_REDIS is not set: run the tests with `npm test` (jest global setup)');
  return { url, keyPrefix: `t_${randomBytes(6).toString('hex')}:` };
}
