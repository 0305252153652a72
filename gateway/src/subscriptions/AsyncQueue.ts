/**
 * A bounded push queue exposed as an async iterator. `return()` releases at once (the upstream is
 * told through `onReturn`), whether or not a value is pending: subscriptions never outlive their
 * consumer, and a consumer that falls `capacity` events behind is ended with an error instead of
 * letting memory grow.
 */
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private readonly values: T[] = [];
  private readonly waiting: ((result: IteratorResult<T>) => void)[] = [];
  private done = false;
  private failure: Error | undefined;

  constructor(
    private readonly capacity: number,
    private readonly onReturn: () => void,
  ) {}

  push(value: T): void {
    if (this.done) return;
    const waiter = this.waiting.shift();
    if (waiter) return waiter({ value, done: false });
    if (this.values.length >= this.capacity) {
      this.fail(new Error(`slow consumer: more than ${this.capacity} events pending`));
      return;
    }
    this.values.push(value);
  }

  fail(error: Error): void {
    if (this.done) return;
    this.failure = error;
    this.finish();
  }

  /** Ends the iteration normally (the upstream completed). */
  finish(): void {
    if (this.done) return;
    this.done = true;
    this.onReturn();
    if (!this.failure) for (const waiter of this.waiting.splice(0)) waiter({ value: undefined, done: true });
    else for (const waiter of this.waiting.splice(0)) waiter(Promise.reject(this.failure) as never);
  }

  async next(): Promise<IteratorResult<T>> {
    const value = this.values.shift();
    if (value !== undefined) return { value, done: false };
    if (this.failure) throw this.failure;
    if (this.done) return { value: undefined, done: true };
    return new Promise((resolve, reject) => {
      this.waiting.push((result) => (result instanceof Promise ? result.then(resolve, reject) : resolve(result)));
    });
  }

  async return(): Promise<IteratorResult<T>> {
    this.values.length = 0;
    this.finish();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
