import type { EntityManager } from '@mikro-orm/postgresql';

/** `"<schema>"."<table>"` of this subgraph (its PostgreSQL schema is its name), for hand-written SQL. */
export function tableOf(em: EntityManager, table: string): string {
  return `"${em.config.get('schema')}"."${table}"`;
}

/** A PostgreSQL array literal of validated UUIDs, for `?::uuid[]` (knex would expand a JS array into a list). */
export function uuidArray(ids: readonly string[]): string {
  return `{${ids.join(',')}}`;
}
