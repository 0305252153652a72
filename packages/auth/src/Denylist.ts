import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';

/**
 * Subjects whose still-valid tokens must be refused at once (a disabled account), until those tokens
 * expire. Shared by every gateway replica through Redis; in process for the embedded default.
 */
export interface SubjectDenylist {
  add(subject: string, ttlSeconds: number): Promise<void>;
  remove(subject: string): Promise<void>;
  has(subject: string): Promise<boolean>;
  /**
   * Calls `listener` with each subject added from now on, by this process or (Redis) any other, so that
   * long-lived connections of that subject can be closed at once. Returns the unsubscribe function.
   * Best effort: a notice lost while Redis reconnects is caught by callers' periodic `has` checks.
   */
  onAdded(listener: (subject: string) => void): () => void;
  close(): Promise<void>;
}

export class MemoryDenylist implements SubjectDenylist {
  private readonly until = new Map<string, number>();
  private readonly added = new EventEmitter();
  async add(subject: string, ttlSeconds: number) {
    this.until.set(subject, Date.now() + ttlSeconds * 1000);
    this.added.emit('added', subject);
  }
  onAdded(listener: (subject: string) => void) {
    this.added.on('added', listener);
    return () => void this.added.off('added', listener);
  }
  async remove(subject: string) {
    this.until.delete(subject);
  }
  async has(subject: string) {
    const until = this.until.get(subject);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.until.delete(subject);
    return false;
  }
  async close() {}
}

export class RedisDenylist implements SubjectDenylist {
  private readonly redis: Redis;
  /** Subscriber connection, opened by the first `onAdded` (a subscribed connection can do nothing else). */
  private subscriber: Redis | undefined;
  private readonly added = new EventEmitter();
  constructor(
    private readonly url: string,
    private readonly keyPrefix = 'sg:',
  ) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 2 });
  }
  private get channel() {
    return `${this.keyPrefix}denied-subjects`;
  }
  private key(subject: string) {
    return `${this.keyPrefix}denied-subject:${subject}`;
  }
  async add(subject: string, ttlSeconds: number) {
    await this.redis.set(this.key(subject), '1', 'EX', Math.max(1, Math.ceil(ttlSeconds)));
    await this.redis.publish(this.channel, subject);
  }
  onAdded(listener: (subject: string) => void) {
    if (!this.subscriber) {
      const subscriber = new Redis(this.url, { maxRetriesPerRequest: 2 });
      subscriber.on('message', (channel: string, subject: string) => {
        if (channel === this.channel) this.added.emit('added', subject);
      });
      void subscriber.subscribe(this.channel).catch(() => undefined);
      this.subscriber = subscriber;
    }
    this.added.on('added', listener);
    return () => void this.added.off('added', listener);
  }
  async remove(subject: string) {
    await this.redis.del(this.key(subject));
  }
  async has(subject: string) {
    return (await this.redis.exists(this.key(subject))) === 1;
  }
  async close() {
    this.added.removeAllListeners();
    await Promise.all([this.redis, this.subscriber].map((redis) => redis?.quit().catch(() => redis.disconnect())));
  }
}
