import type { Logger } from '@supergraph/logger';
import type { ConsumeOptions, Consumption, DomainEvent, EventBus } from './EventBus.js';

interface StreamState {
  readonly log: DomainEvent[];
  /** Events trimmed from the head of `log` so far: `log[i]` is the stream's event number `trimmed + i`. */
  trimmed: number;
  /** Number (in the stream, not in `log`) of the next event for each group. */
  readonly cursors: Map<string, number>;
  readonly waiters: Set<() => void>;
}

const RETRY_DELAY_MS = 200;

/**
 * The bus of the embedded default (no `REDIS_URL`): the same contract as Redis Streams within one
 * process — groups start from the oldest retained event, a failing handler gets the event again.
 */
export class InProcessBus implements EventBus {
  private readonly streams = new Map<string, StreamState>();
  private readonly consumptions = new Set<Consumption>();

  constructor(
    private readonly logger?: Logger,
    private readonly retain = 10_000,
  ) {}

  private state(stream: string): StreamState {
    let state = this.streams.get(stream);
    if (!state) {
      state = { log: [], trimmed: 0, cursors: new Map(), waiters: new Set() };
      this.streams.set(stream, state);
    }
    return state;
  }

  async publish(events: readonly DomainEvent[]): Promise<void> {
    const touched = new Set<StreamState>();
    for (const event of events) {
      const state = this.state(event.stream);
      state.log.push(event);
      touched.add(state);
    }
    for (const state of touched) {
      this.trim(state);
      for (const wake of [...state.waiters]) wake();
    }
  }

  private trim(state: StreamState): void {
    const excess = state.log.length - this.retain;
    if (excess <= 0) return;
    state.log.splice(0, excess);
    state.trimmed += excess;
  }

  async consume({ stream, group, handler }: ConsumeOptions): Promise<Consumption> {
    const state = this.state(stream);
    if (!state.cursors.has(group)) state.cursors.set(group, state.trimmed);
    let running = true;
    let wakeLoop: (() => void) | undefined;
    const loop = (async () => {
      while (running) {
        let cursor = state.cursors.get(group) ?? state.trimmed;
        if (cursor < state.trimmed) {
          // Trimmed before this group read them (it fell more than `retain` events behind).
          this.logger?.warn({ stream, group, missed: state.trimmed - cursor }, 'events trimmed before consumed');
          cursor = state.trimmed;
          state.cursors.set(group, cursor);
        }
        const event = state.log[cursor - state.trimmed];
        if (!event) {
          await new Promise<void>((resolve) => {
            wakeLoop = resolve;
            state.waiters.add(resolve);
          });
          if (wakeLoop) state.waiters.delete(wakeLoop);
          continue;
        }
        try {
          await handler(event);
          // By number, not by finding the event again: the log may have been trimmed meanwhile, and the
          // same event object may have been published twice.
          state.cursors.set(group, cursor + 1);
        } catch (error) {
          this.logger?.error({ err: error, stream, group, eventId: event.id }, 'event handler failed; will retry');
          await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
        }
      }
    })();
    const consumption: Consumption = {
      stop: async () => {
        running = false;
        wakeLoop?.();
        await loop;
        this.consumptions.delete(consumption);
      },
    };
    this.consumptions.add(consumption);
    return consumption;
  }

  async lag(stream: string, group: string): Promise<number> {
    const state = this.streams.get(stream);
    return state ? state.trimmed + state.log.length - Math.max(state.cursors.get(group) ?? 0, state.trimmed) : 0;
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumptions].map((c) => c.stop()));
  }
}
