type Events<T> = AsyncIterableIterator<T> & { return(): Promise<IteratorResult<T>> };

/**
 * The events of `source` that `keep` accepts, for subscription resolvers (e.g. by author, or the
 * caller's own). Unlike an async generator, `return()` releases `source` at once, even while waiting
 * for the next event. Events are typed `T` on trust: they come from this subgraph's own publishers.
 */
export function filterEvents<T>(source: AsyncIterator<unknown>, keep: (event: T) => boolean): Events<T> {
  const done = (): IteratorResult<T> => ({ value: undefined, done: true });
  const events: Events<T> = {
    async next() {
      for (;;) {
        const result = await source.next();
        if (result.done) return done();
        const event = result.value as T;
        let kept: boolean;
        try {
          kept = keep(event);
        } catch (error) {
          await source.return?.();
          throw error;
        }
        if (kept) return { value: event, done: false };
      }
    },
    async return() {
      await source.return?.();
      return done();
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return events;
}
