/** The embedded default's bus: Redis Streams' contract within one process. */
import { describe, expect, it } from '@jest/globals';
import { InProcessBus, type DomainEvent } from '@supergraph/events';

const event = (n: number): DomainEvent =>
  ({ id: `e${n}`, stream: 's', type: 'T', aggregateId: 'a', payload: { n }, occurredAt: new Date(0) }) as never;

async function drain(bus: InProcessBus, group: string, until: (seen: number[]) => boolean): Promise<number[]> {
  const seen: number[] = [];
  const consumption = await bus.consume({
    stream: 's',
    group,
    handler: async (e) => void seen.push((e.payload as { n: number }).n),
  });
  const deadline = Date.now() + 2_000;
  while (!until(seen) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  // A little longer: a consumer that loops would keep adding.
  await new Promise((resolve) => setTimeout(resolve, 50));
  await consumption.stop();
  return seen;
}

describe('InProcessBus', () => {
  it('delivers an event object published twice twice, then waits (no loop back to its first copy)', async () => {
    const bus = new InProcessBus();
    const same = event(1);
    await bus.publish([same, event(2), same]);
    expect(await drain(bus, 'g', (seen) => seen.length >= 3)).toEqual([1, 2, 1]);
    expect(await bus.lag('s', 'g')).toBe(0);
  });

  it('a group that fell further behind than the retained events skips the trimmed ones and goes on', async () => {
    const bus = new InProcessBus(undefined, 3);
    await bus.publish([event(1), event(2)]);
    expect(await drain(bus, 'early', (seen) => seen.length >= 2)).toEqual([1, 2]);
    await bus.publish([event(3), event(4), event(5), event(6)]);
    // Only 4, 5, 6 are retained: 'early' missed 3; a new group starts at the oldest retained.
    expect(await drain(bus, 'early', (seen) => seen.length >= 3)).toEqual([4, 5, 6]);
    expect(await drain(bus, 'late', (seen) => seen.length >= 3)).toEqual([4, 5, 6]);
    expect(await bus.lag('s', 'late')).toBe(0);
  });
});
