import DataLoader from 'dataloader';
import type { EntitySchema } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isId } from './pagination.js';

/**
 * Per-request DataLoaders, created lazily by key. Everything resolved per parent object (entity
 * references, `User.posts`, `User.subscription`) goes through one of these, so N parents cost one
 * query.
 */
export class Loaders {
  private readonly loaders = new Map<string, DataLoader<unknown, unknown>>();

  constructor(private readonly em: EntityManager) {}

  get<K, V>(key: string, batch: (keys: readonly K[]) => Promise<readonly (V | Error)[]>): DataLoader<K, V> {
    let loader = this.loaders.get(key) as DataLoader<K, V> | undefined;
    if (!loader) {
      loader = new DataLoader<K, V>(batch);
      this.loaders.set(key, loader as DataLoader<unknown, unknown>);
    }
    return loader;
  }

  /** Loads entities by primary key `id`; unknown ids resolve to null. */
  byId<T extends object>(schema: EntitySchema<T>): DataLoader<string, T | null> {
    const name = schema.meta.className;
    return this.get<string, T | null>(`byId:${name}`, async (ids) => {
      // A malformed id cannot exist: answer null without asking the database (which would reject it).
      const valid = [...new Set(ids)].filter(isId);
      const rows =
        valid.length === 0
          ? []
          : ((await this.em.find(name, { id: { $in: valid } } as never)) as (T & { id: string })[]);
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    });
  }
}
