import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { uuidv7, type DomainEvent, type EventBus } from '@supergraph/events';
import type { ConsumerContext } from '@supergraph/subgraph-kit';
import { DECISIONS_STREAM, LIVE_TABLES, POSTS_STREAM, SearchIndexer, type SearchTables } from './search-indexer.js';

type Logger = ConsumerContext['logger'];

export interface ReindexOptions {
  readonly orm: MikroORM;
  /** The bus the live consumers read (Redis Streams, or the in-process bus of the process that owns it). */
  readonly bus: EventBus;
  readonly logger?: Logger;
  /** Drop the rebuild tables a reindex that did not finish left behind. Default false. */
  readonly force?: boolean;
  /** How long the replay must have been idle (and its lag 0) to count as caught up. Default 500 ms. */
  readonly quietMs?: number;
  /** Give up (dropping the rebuild) when the replay has not caught up by then. Default 30 minutes. */
  readonly timeoutMs?: number;
}

export interface ReindexResult {
  /** Consumer group of the replay (one per stream, left behind on the bus). */
  readonly group: string;
  /** Events replayed into the rebuild (an event applied twice counts twice). */
  readonly events: number;
  /** Visible or moderated, not deleted posts in the new read model. */
  readonly documents: number;
  readonly ms: number;
}

const STREAMS = [POSTS_STREAM, DECISIONS_STREAM];
const REBUILD: SearchTables = {
  documents: '"search"."search_document_rebuild"',
  words: '"search"."search_word_rebuild"',
};
const TABLES = [
  { live: 'search_document', rebuild: 'search_document_rebuild' },
  { live: 'search_word', rebuild: 'search_word_rebuild' },
];

/**
 * Rebuilds the search read model from scratch by replaying the event streams from their beginning
 * into fresh tables, then swapping them in. Search is fed by events only, so the streams are the
 * source (their retention bounds what a reindex can recover; see docs/search.md).
 *
 * 1. Create `*_rebuild` tables like the live ones (columns, generated columns, indexes).
 * 2. Replay `content.posts` and `moderation.decisions` from the start under a new consumer group into
 *    them; the indexer's time guards make order and repetition harmless.
 * 3. Once caught up: lock the live tables against writes (reads go on), let the replay catch up with
 *    whatever the live consumers applied meanwhile, drop the live tables, rename the rebuilt ones and
 *    their indexes into place, commit. A live consumer blocked on the lock writes into the new table
 *    once it is in place (PostgreSQL looks the name up again after waiting for a lock).
 */
export async function reindexSearch(options: ReindexOptions): Promise<ReindexResult> {
  const started = Date.now();
  const { orm, bus, logger } = options;
  const deadline = started + (options.timeoutMs ?? 30 * 60_000);
  const quietMs = options.quietMs ?? 500;
  const group = `search.reindex-${uuidv7()}`;
  await createRebuildTables(orm, options.force ?? false);
  const replay = new Replay();
  const consumptions = [];
  try {
    for (const stream of STREAMS) {
      consumptions.push(
        await bus.consume({
          stream,
          group,
          handler: replay.wrap((event: DomainEvent) =>
            orm.em.fork().transactional((em) => new SearchIndexer(em, REBUILD, logger).apply(event)),
          ),
        }),
      );
    }
    await replay.caughtUp(bus, group, quietMs, deadline);
    logger?.info({ group, events: replay.handled }, 'search reindex caught up; swapping');
    await orm.em.fork().transactional(async (em) => {
      await em.execute(`lock table ${LIVE_TABLES.documents}, ${LIVE_TABLES.words} in exclusive mode`, [], 'run');
      await replay.caughtUp(bus, group, quietMs, deadline);
      await swap(em);
    });
  } catch (error) {
    await Promise.all(consumptions.splice(0).map((consumption) => consumption.stop()));
    await dropRebuildTables(orm).catch(() => undefined);
    throw error;
  } finally {
    await Promise.all(consumptions.map((consumption) => consumption.stop()));
  }
  const [row] = await orm.em
    .fork()
    .getConnection()
    .execute<{ n: number }[]>(
      `select count(*)::int as n from ${LIVE_TABLES.documents} where created_at is not null and deleted_at is null`,
    );
  const result = { group, events: replay.handled, documents: row?.n ?? 0, ms: Date.now() - started };
  logger?.info(result, 'search reindex done');
  return result;
}

async function createRebuildTables(orm: MikroORM, force: boolean): Promise<void> {
  const connection = orm.em.fork().getConnection();
  if (force) await dropRebuildTables(orm);
  const [existing] = await connection.execute<{ n: number }[]>(
    `select count(*)::int as n from pg_tables where schemaname = 'search' and tablename like '%\\_rebuild'`,
  );
  if ((existing?.n ?? 0) > 0)
    throw new Error(
      'search reindex: rebuild tables exist (a reindex is running, or one did not finish: rerun with --force)',
    );
  for (const { live, rebuild } of TABLES)
    await connection.execute(`create table "search"."${rebuild}" (like "search"."${live}" including all)`, [], 'run');
}

async function dropRebuildTables(orm: MikroORM): Promise<void> {
  const connection = orm.em.fork().getConnection();
  for (const { rebuild } of TABLES) await connection.execute(`drop table if exists "search"."${rebuild}"`, [], 'run');
}

/**
 * Drops the live tables and renames the rebuilt ones, and their indexes, to the live names, so that
 * the schema afterwards is exactly what the migrations made (indexes are matched by definition).
 */
async function swap(em: EntityManager): Promise<void> {
  const indexes = () =>
    em.execute<{ name: string; definition: string }[]>(
      `select indexname as name, indexdef as definition from pg_indexes
       where schemaname = 'search' and tablename in (${TABLES.map(({ live }) => `'${live}'`).join(', ')})`,
    );
  const shape = (definition: string) => definition.replace(/ INDEX \S+ ON /, ' INDEX ON ');
  const liveNames = new Map((await indexes()).map((index) => [shape(index.definition), index.name]));
  for (const { live, rebuild } of TABLES) {
    await em.execute(`drop table "search"."${live}"`, [], 'run');
    await em.execute(`alter table "search"."${rebuild}" rename to "${live}"`, [], 'run');
  }
  for (const index of await indexes()) {
    const name = liveNames.get(shape(index.definition));
    if (name && name !== index.name)
      await em.execute(`alter index "search"."${index.name}" rename to "${name}"`, [], 'run');
  }
}

/** Progress of the replay, to tell when it has caught up with the streams. */
class Replay {
  handled = 0;
  private inFlight = 0;
  private failing = false;
  private lastActivity = Date.now();

  wrap(handler: (event: DomainEvent) => Promise<void>): (event: DomainEvent) => Promise<void> {
    return async (event) => {
      this.inFlight += 1;
      this.lastActivity = Date.now();
      try {
        await handler(event);
        this.failing = false;
        this.handled += 1;
      } catch (error) {
        this.failing = true; // the bus delivers it again; not caught up until it succeeds
        throw error;
      } finally {
        this.inFlight -= 1;
        this.lastActivity = Date.now();
      }
    };
  }

  /**
   * Lag 0 on every stream, nothing in flight, no failed event waiting, and quiet for `quietMs` (Redis
   * reports no lag for entries delivered but still being handled, nor for trimmed streams).
   */
  async caughtUp(bus: EventBus, group: string, quietMs: number, deadline: number): Promise<void> {
    for (;;) {
      const lags = await Promise.all(STREAMS.map((stream) => bus.lag(stream, group)));
      if (
        lags.every((lag) => lag === 0) &&
        this.inFlight === 0 &&
        !this.failing &&
        Date.now() - this.lastActivity >= quietMs
      )
        return;
      if (Date.now() > deadline) throw new Error('search reindex: the replay did not catch up in time');
      await new Promise((resolve) => setTimeout(resolve, Math.min(50, quietMs)));
    }
  }
}
