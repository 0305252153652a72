import { afterEach, describe, expect, it } from '@jest/globals';
import { eventually } from '@supergraph/testing';
import type { SubgraphResilienceOptions } from '../src/edge/index.js';
import { post, startEdgeFixture, type EdgeFixture } from './edge-fixtures.js';

const BOTH = '{ me { id } products(first: 1) { id } }';

describe('gateway edge: subgraph resilience (real subgraphs, slowed, failing, stopped)', () => {
  let fixture: EdgeFixture | undefined;
  afterEach(async () => {
    await fixture?.stop();
    fixture = undefined;
  });

  const start = async (defaults: Partial<SubgraphResilienceOptions>) => {
    fixture = await startEdgeFixture({
      edge: {
        resilience: {
          defaults: { backoffMs: 5, circuitBreaker: { failureThreshold: 3, openMs: 400 }, ...defaults },
        },
      },
    });
    return fixture;
  };

  it('retries a query that failed with 503, and answers as if nothing happened', async () => {
    const { url, subgraphs } = await start({ retries: 2 });
    subgraphs.accounts.failNext = 2;
    expect((await post(url, { query: '{ me { id } }' })).body).toEqual({ data: { me: { id: '1' } } });
    expect(subgraphs.accounts.calls.query).toBe(3);
  });

  it('never retries a mutation', async () => {
    const { url, subgraphs } = await start({ retries: 2 });
    subgraphs.accounts.failNext = 1;
    const { body } = await post(url, { query: 'mutation { rename(name: "x") { id } }' });
    expect(body).toEqual({
      data: null,
      errors: [
        {
          message: 'The accounts service failed',
          extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'accounts' },
        },
      ],
    });
    expect(subgraphs.accounts.calls.mutation).toBe(1);
  });

  it('stops retrying when the retry budget is spent', async () => {
    const { url, subgraphs } = await start({
      retries: 5,
      retryBudget: { ratio: 0, maxBalance: 2 },
      circuitBreaker: { failureThreshold: 100 },
    });
    subgraphs.accounts.failNext = 100;
    await post(url, { query: '{ me { id } }' });
    // One attempt and the two retries the budget held, not five; then no retries at all.
    expect(subgraphs.accounts.calls.query).toBe(3);
    await post(url, { query: '{ me { id } }' });
    expect(subgraphs.accounts.calls.query).toBe(4);
  });

  it('times a slow subgraph out and still returns the other subgraph’s fields', async () => {
    const { url, subgraphs } = await start({ timeoutMs: 200, retries: 0 });
    subgraphs.accounts.delayMs = 2_000;
    const started = performance.now();
    const { status, body } = await post(url, { query: BOTH });
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(status).toBe(200);
    expect(body).toEqual({
      data: { me: null, products: [{ id: 'p1' }] },
      errors: [
        {
          message: 'The accounts service is unavailable (timed out after 200 ms)',
          extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'accounts' },
        },
      ],
    });
  });

  it('opens the circuit of a stopped subgraph, refuses at once while open, and closes it when it is back', async () => {
    const { url, subgraphs } = await start({ retries: 0 });
    await subgraphs.accounts.stop();
    for (let i = 0; i < 3; i += 1) {
      const { body } = await post(url, { query: BOTH });
      expect(body).toEqual({
        data: { me: null, products: [{ id: 'p1' }] },
        errors: [
          {
            message: 'The accounts service failed',
            extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'accounts' },
          },
        ],
      });
    }
    const open = await post(url, { query: BOTH });
    expect(open.body.errors).toEqual([
      {
        message: 'The accounts service is unavailable (circuit open)',
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'accounts' },
      },
    ]);
    const metrics = await (await fetch(url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(/supergraph_subgraph_circuit_state\{[^}]*subgraph="accounts"[^}]*\} 2/);
    expect(metrics).toMatch(/supergraph_subgraph_circuit_rejections_total\{[^}]*subgraph="accounts"[^}]*\} 1/);

    await subgraphs.accounts.restart();
    const before = subgraphs.accounts.calls.query;
    await eventually(async () => {
      expect((await post(url, { query: BOTH })).body).toEqual({ data: { me: { id: '1' }, products: [{ id: 'p1' }] } });
    }, 3_000);
    expect(subgraphs.accounts.calls.query).toBe(before + 1);
    expect(await (await fetch(url.replace('/graphql', '/metrics'))).text()).toMatch(
      /supergraph_subgraph_circuit_state\{[^}]*subgraph="accounts"[^}]*\} 0/,
    );
  });

  it('half-open: one trial call; its failure opens the circuit again', async () => {
    const { url, subgraphs } = await start({ retries: 0 });
    subgraphs.accounts.failNext = 3;
    for (let i = 0; i < 3; i += 1) await post(url, { query: '{ me { id } }' });
    expect(subgraphs.accounts.calls.query).toBe(3);
    subgraphs.accounts.failNext = 1;
    await new Promise((resolve) => setTimeout(resolve, 450));
    // The trial fails (503): open again, the next call is refused without reaching the subgraph.
    await post(url, { query: '{ me { id } }' });
    const { body } = await post(url, { query: '{ me { id } }' });
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'accounts' });
    expect(subgraphs.accounts.calls.query).toBe(4);
  });
});
