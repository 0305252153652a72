import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebSocket } from 'ws';
import { post, startEdgeFixture, type EdgeFixture } from './edge-fixtures.js';

describe('gateway edge: graceful shutdown drains HTTP and WebSocket', () => {
  let fixture: EdgeFixture;
  beforeAll(async () => {
    fixture = await startEdgeFixture();
  });
  afterAll(() => fixture.stop());

  it('finishes requests in flight, refuses new ones, and closes graphql-ws clients with 1001', async () => {
    const socket = new WebSocket(fixture.url.replace('http', 'ws'), 'graphql-transport-ws');
    const acknowledged = new Promise<void>((resolve) =>
      socket.on('message', (data) => {
        if ((JSON.parse(String(data)) as { type: string }).type === 'connection_ack') resolve();
      }),
    );
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    await acknowledged;

    fixture.subgraphs.accounts.delayMs = 700;
    const inFlight = post(fixture.url, { query: '{ me { name } }' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const stopping = fixture.gateway.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));

    // A new connection is refused while the old request is still being answered.
    await expect(
      fetch(fixture.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', connection: 'close' },
        body: JSON.stringify({ query: '{ me { id } }' }),
      }),
    ).rejects.toThrow('fetch failed');
    const answered = await inFlight;
    expect(answered.status).toBe(200);
    expect(answered.body).toEqual({ data: { me: { name: 'Account 1' } } });
    expect(await closed).toEqual({ code: 1001, reason: 'Going away' });
    await stopping;
  });
});
