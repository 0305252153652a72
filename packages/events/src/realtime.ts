import { Redis } from 'ioredis';
import type { Logger } from '@supergraph/logger';

/**
 * The events of one topic from the moment `subscribe` returned. `return()` releases the subscription at
 * once (a `next()` in flight resolves `done`); nothing is retained for a topic nobody listens to.
 */
export type RealtimeIterator = AsyncIterableIterator<unknown> & { return(): Promise<IteratorResult<unknown>> };

/**
 * Realtime pub/sub for GraphQL subscriptions: at most once, to every subscriber of the topic in every
 * process sharing the bus (Redis pub/sub), nothing kept for later. Domain events that must not be
 * lost travel on the {@link EventBus}; realtime only fans them out to connected clients.
 *
 * Payloads are JSON: what subscribers receive is `JSON.parse(JSON.stringify(payload))` (a `Date`
 * arrives as its ISO string), parsed once per process and shared between its subscribers, so treat
 * it as read-only.
 */
export interface RealtimeBus {
  publish(topic: string, payload: unknown): Promise<void>;
  subscribe(topic: string): RealtimeIterator;
  /** Ends every subscription (each iterator drains what it buffered, then is `done`) and disconnects. */
  close(): Promise<void>;
}

/** Events an iterator buffers for a consumer that does not keep up, by default. */
export const DEFAULT_REALTIME_BUFFER = 1_000;

/**
 * A subscriber fell more than its buffer behind (a slow consumer). Its subscription was released and
 * its buffer dropped when that happened; its next `next()` rejects with this error, then it is done.
 * Subscribers that see it missed events: subscribe again and refetch what matters.
 */
export class RealtimeOverflowError extends Error {
  readonly code = 'SUBSCRIPTION_OVERFLOW';

  constructor(
    readonly topic: string,
    readonly limit: number,
  ) {
    super(`The subscriber of ${topic} fell more than ${limit} events behind; its subscription was ended`);
    this.name = 'RealtimeOverflowError';
  }
}

export interface RealtimeOptions {
  /**
   * Events buffered per subscriber before it is ended with {@link RealtimeOverflowError} (rather than
   * silently losing the oldest: a gap a client cannot see is worse than an error it can act on).
   * Default {@link DEFAULT_REALTIME_BUFFER}.
   */
  readonly maxBuffered?: number;
  readonly logger?: Logger;
}

const DONE: IteratorResult<unknown> = { value: undefined, done: true };

/** One subscriber's iterator: a bounded buffer and the `next()` calls waiting for an event. */
class Subscription implements RealtimeIterator {
  private readonly buffer: unknown[] = [];
  private readonly waiting: ((result: IteratorResult<unknown>) => void)[] = [];
  private state: 'open' | 'failed' | 'ended' = 'open';
  private failure: RealtimeOverflowError | undefined;

  constructor(
    readonly topic: string,
    private readonly limit: number,
    private readonly release: (subscription: Subscription) => void,
  ) {}

  get open(): boolean {
    return this.state === 'open';
  }

  deliver(payload: unknown): void {
    if (this.state !== 'open') return;
    const waiter = this.waiting.shift();
    if (waiter) return waiter({ value: payload, done: false });
    if (this.buffer.length >= this.limit) {
      this.state = 'failed';
      this.failure = new RealtimeOverflowError(this.topic, this.limit);
      this.buffer.length = 0;
      this.release(this);
      return;
    }
    this.buffer.push(payload);
  }

  /** The bus closed: deliver what is buffered, then done. */
  end(): void {
    if (this.state !== 'open') return;
    this.state = 'ended';
    for (const waiter of this.waiting.splice(0)) waiter(DONE);
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.buffer.length > 0) return Promise.resolve({ value: this.buffer.shift(), done: false });
    if (this.state === 'failed') {
      const failure = this.failure;
      this.state = 'ended';
      this.failure = undefined;
      return Promise.reject(failure);
    }
    if (this.state === 'ended') return Promise.resolve(DONE);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  return(): Promise<IteratorResult<unknown>> {
    const wasOpen = this.state === 'open';
    this.state = 'ended';
    this.failure = undefined;
    this.buffer.length = 0;
    if (wasOpen) this.release(this);
    for (const waiter of this.waiting.splice(0)) waiter(DONE);
    return Promise.resolve(DONE);
  }

  throw(error?: unknown): Promise<IteratorResult<unknown>> {
    void this.return();
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

interface Topic {
  readonly subscriptions: Set<Subscription>;
  /** Receiving events published anywhere (for Redis: the SUBSCRIBE was acknowledged). */
  active: boolean;
}

/** Topic bookkeeping shared by both buses: first subscriber in → listen, last one out → stop listening. */
abstract class TopicRegistry implements RealtimeBus {
  protected readonly topics = new Map<string, Topic>();
  protected closed = false;
  private readonly limit: number;

  constructor(protected readonly options: RealtimeOptions = {}) {
    this.limit = options.maxBuffered ?? DEFAULT_REALTIME_BUFFER;
  }

  abstract publish(topic: string, payload: unknown): Promise<void>;
  /** The first subscriber of `topic` arrived. */
  protected abstract listen(topic: string, state: Topic): void;
  /** The last subscriber of `topic` left. */
  protected abstract unlisten(topic: string): void;

  subscribe(topic: string): RealtimeIterator {
    if (this.closed) throw new Error('The realtime bus is closed');
    const subscription = new Subscription(topic, this.limit, (left) => this.release(left));
    let state = this.topics.get(topic);
    if (!state) {
      state = { subscriptions: new Set(), active: false };
      this.topics.set(topic, state);
      this.listen(topic, state);
    }
    state.subscriptions.add(subscription);
    return subscription;
  }

  /**
   * Open subscriptions that receive events (of `topic`, or of every topic): tests and metrics. A
   * released iterator stops counting at once.
   */
  activeSubscriptions(topic?: string): number {
    let count = 0;
    for (const [name, state] of this.topics) {
      if (state.active && (topic === undefined || name === topic)) count += state.subscriptions.size;
    }
    return count;
  }

  private release(subscription: Subscription): void {
    const state = this.topics.get(subscription.topic);
    if (!state?.subscriptions.delete(subscription) || state.subscriptions.size > 0) return;
    this.topics.delete(subscription.topic);
    if (!this.closed) this.unlisten(subscription.topic);
  }

  protected dispatch(topic: string, payload: unknown): void {
    const state = this.topics.get(topic);
    if (!state) return;
    for (const subscription of [...state.subscriptions]) subscription.deliver(payload);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const state of this.topics.values()) for (const subscription of state.subscriptions) subscription.end();
    this.topics.clear();
    await this.disconnect();
  }

  protected async disconnect(): Promise<void> {}
}

/** Realtime within one process: the embedded default (no `REDIS_URL`) and tests. */
export class InProcessRealtime extends TopicRegistry {
  async publish(topic: string, payload: unknown): Promise<void> {
    if (this.closed) throw new Error('The realtime bus is closed');
    if (!this.topics.has(topic)) return;
    this.dispatch(topic, JSON.parse(JSON.stringify(payload) ?? 'null') as unknown);
  }

  protected listen(_topic: string, state: Topic): void {
    state.active = true;
  }

  protected unlisten(): void {}
}

export interface RedisRealtimeOptions extends RealtimeOptions {
  readonly url: string;
  /** Prefix of every channel (`<prefix>realtime:<topic>`), like the stream bus's keys. Default `sg:`. */
  readonly keyPrefix?: string;
}

/**
 * Realtime over Redis pub/sub: one publishing and one subscribing connection per bus, a channel per
 * topic subscribed while this process has subscribers to it. Pub/sub is at most once: events published
 * while the subscribing connection reconnects are lost (ioredis resubscribes by itself).
 */
export class RedisRealtime extends TopicRegistry {
  private readonly publisher: Redis;
  private subscriber: Redis | undefined;
  private readonly channelPrefix: string;

  constructor(private readonly redisOptions: RedisRealtimeOptions) {
    super(redisOptions);
    this.channelPrefix = `${redisOptions.keyPrefix ?? 'sg:'}realtime:`;
    this.publisher = new Redis(redisOptions.url, { maxRetriesPerRequest: 3 });
  }

  async publish(topic: string, payload: unknown): Promise<void> {
    if (this.closed) throw new Error('The realtime bus is closed');
    await this.publisher.publish(this.channelPrefix + topic, JSON.stringify(payload) ?? 'null');
  }

  private connection(): Redis {
    if (this.subscriber) return this.subscriber;
    const subscriber = new Redis(this.redisOptions.url, { maxRetriesPerRequest: null });
    subscriber.on('message', (channel: string, message: string) => {
      if (!channel.startsWith(this.channelPrefix)) return;
      let payload: unknown;
      try {
        payload = JSON.parse(message);
      } catch (error) {
        this.options.logger?.warn({ err: error, channel }, 'realtime message is not JSON; dropped');
        return;
      }
      this.dispatch(channel.slice(this.channelPrefix.length), payload);
    });
    subscriber.on('error', (error: unknown) => this.options.logger?.warn({ err: error }, 'realtime connection error'));
    this.subscriber = subscriber;
    return subscriber;
  }

  protected listen(topic: string, state: Topic): void {
    this.connection()
      .subscribe(this.channelPrefix + topic)
      .then(
        () => {
          // Unless every subscriber left (and maybe others came, with their own SUBSCRIBE) meanwhile.
          if (this.topics.get(topic) === state) state.active = true;
        },
        (error: unknown) => {
          if (!this.closed) this.options.logger?.error({ err: error, topic }, 'realtime subscribe failed');
        },
      );
  }

  protected unlisten(topic: string): void {
    this.subscriber?.unsubscribe(this.channelPrefix + topic).catch((error: unknown) => {
      if (!this.closed) this.options.logger?.warn({ err: error, topic }, 'realtime unsubscribe failed');
    });
  }

  protected override async disconnect(): Promise<void> {
    await Promise.all([this.publisher, this.subscriber].map((redis) => redis?.quit().catch(() => redis.disconnect())));
  }
}
