import { Redis } from 'ioredis';

/**
 * Subjects whose still-valid tokens must be refused at once (a disabled account), until those tokens
 * expire. Shared by every gateway replica through Redis; in process for the embedded default.
 */
export interface SubjectDenylist {
  add(subject: string, ttlSeconds: number): Promise<void>;
  remove(subject: string): Promise<void>;
  has(subject: string): Promise<boolean>;
  close(): Promise<void>;
}

export class MemoryDenylist implements SubjectDenylist {
  private readonly until = new Map<string, number>();
  async add(subject: string, ttlSeconds: number) {
    this.until.set(subject, Date.now() + ttlSeconds * 1000);
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
  constructor(
    url: string,
    private readonly keyPrefix = 'sg:',
  ) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 2 });
  }
  private key(subject: string) {
    return `${this.keyPrefix}denied-subject:${subject}`;
  }
  async add(subject: string, ttlSeconds: number) {
    await this.redis.set(this.key(subject), '1', 'EX', Math.max(1, Math.ceil(ttlSeconds)));
  }
  async remove(subject: string) {
    await this.redis.del(this.key(subject));
  }
  async has(subject: string) {
    return (await this.redis.exists(this.key(subject))) === 1;
  }
  async close() {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
