import type { EntityManager } from '@mikro-orm/postgresql';
import type { DomainEvent } from '@supergraph/events';
import type { Logger } from '@supergraph/logger';
import { isId, isTime } from '@supergraph/subgraph-kit';

export const POSTS_STREAM = 'content.posts';
export const DECISIONS_STREAM = 'moderation.decisions';

/** The tables an indexer writes: the live ones, or the fresh ones a reindex fills before the swap. */
export interface SearchTables {
  readonly documents: string;
  readonly words: string;
}

export const LIVE_TABLES: SearchTables = {
  documents: '"search"."search_document"',
  words: '"search"."search_word"',
};

const STATUSES = new Set(['VISIBLE', 'HIDDEN', 'REMOVED']);

interface ContentPayload {
  id: string;
  authorId: string;
  title: string;
  body: string;
  tags: string[];
  language: string;
  premium?: boolean;
}

/**
 * Applies content and moderation events to the read model. Every change is guarded by the time the
 * payload carries (content by `createdAt`/`editedAt`, moderation by `changedAt`, deletion wins for
 * good), so applying an event twice, or an older one late, changes nothing: the live consumers and a
 * reindex replaying the streams can both rely on it. Malformed events are logged and skipped rather
 * than retried forever.
 */
export class SearchIndexer {
  constructor(
    private readonly em: EntityManager,
    private readonly tables: SearchTables = LIVE_TABLES,
    private readonly logger?: Logger,
  ) {}

  async apply(event: DomainEvent): Promise<void> {
    const payload = event.payload;
    switch (event.type) {
      case 'PostCreated':
      case 'PostEdited':
        if (!isContent(payload)) return this.skip(event);
        return this.upsertContent(
          payload,
          String(event.type === 'PostCreated' ? payload.createdAt : payload.editedAt),
          event.type === 'PostCreated' ? String(payload.createdAt) : null,
        );
      case 'PostDeleted':
        if (!isId(payload.id) || !isTime(payload.deletedAt)) return this.skip(event);
        return this.markDeleted(payload.id, String(payload.deletedAt));
      case 'ModerationStatusChanged': {
        // COMMENT decisions concern comments, which search does not index. Older producers send no
        // contentType and only postId.
        if (payload.contentType === 'COMMENT') return;
        const postId = payload.contentId ?? payload.postId;
        if (!isId(postId) || !STATUSES.has(String(payload.status)) || !isTime(payload.changedAt))
          return this.skip(event);
        return this.setStatus(postId, String(payload.status), String(payload.changedAt));
      }
      default:
        return; // other event types of these streams are not search's business
    }
  }

  private skip(event: DomainEvent): void {
    this.logger?.warn({ eventId: event.id, type: event.type }, 'malformed event skipped by the search indexer');
  }

  private async upsertContent(post: ContentPayload, version: string, createdAt: string | null): Promise<void> {
    if (!isTime(version)) return;
    const changed = await this.em.execute<{ post_id: string }[]>(
      `insert into ${this.tables.documents} as d
         (post_id, author_id, title, body, tags, language, premium, created_at, content_version, indexed_at)
       values (?, ?, ?, ?, (select coalesce(array_agg(t), '{}') from json_array_elements_text(?::json) t), ?, ?, ?::timestamptz, ?::timestamptz, now())
       on conflict (post_id) do update set
         author_id = excluded.author_id, title = excluded.title, body = excluded.body, tags = excluded.tags,
         language = excluded.language, premium = excluded.premium, content_version = excluded.content_version,
         created_at = coalesce(d.created_at, excluded.created_at), indexed_at = now()
       where d.deleted_at is null and (d.content_version is null or d.content_version < excluded.content_version)
       returning post_id`,
      [
        post.id,
        post.authorId,
        clean(post.title),
        clean(post.body),
        JSON.stringify(post.tags.map(clean)),
        post.language,
        post.premium === true,
        createdAt,
        version,
      ],
    );
    // A PostCreated that arrives after a newer PostEdited (only possible when replaying) still dates the post.
    if (changed.length === 0 && createdAt) {
      await this.em.execute(
        `update ${this.tables.documents} set created_at = ?::timestamptz where post_id = ? and created_at is null`,
        [createdAt, post.id],
      );
      return;
    }
    if (changed.length > 0) await this.addWords(`${post.title} ${post.tags.join(' ')} ${post.body}`);
  }

  /** Lexemes of the `simple` configuration: unaccented, lower-case words. Sorted, so that concurrent inserts lock in one order. */
  private async addWords(text: string): Promise<void> {
    await this.em.execute(
      `insert into ${this.tables.words} (word)
       select distinct lexeme from unnest(to_tsvector('search.simple', ?)) where length(lexeme) between 3 and 32
       order by 1
       on conflict do nothing`,
      [clean(text)],
    );
  }

  private async markDeleted(postId: string, deletedAt: string): Promise<void> {
    // The text goes: deleted content must not linger in the index, nor be found by anyone.
    await this.em.execute(
      `insert into ${this.tables.documents} as d (post_id, deleted_at, indexed_at) values (?, ?::timestamptz, now())
       on conflict (post_id) do update set
         deleted_at = excluded.deleted_at, title = '', body = '', tags = '{}', indexed_at = now()
       where d.deleted_at is null`,
      [postId, deletedAt],
    );
  }

  private async setStatus(postId: string, status: string, changedAt: string): Promise<void> {
    await this.em.execute(
      `insert into ${this.tables.documents} as d (post_id, status, status_changed_at, indexed_at)
       values (?, ?, ?::timestamptz, now())
       on conflict (post_id) do update set
         status = excluded.status, status_changed_at = excluded.status_changed_at, indexed_at = now()
       where d.status_changed_at is null or d.status_changed_at < excluded.status_changed_at`,
      [postId, status, changedAt],
    );
  }
}

function isContent(payload: Record<string, unknown>): payload is Record<string, unknown> & ContentPayload {
  return (
    isId(payload.id) &&
    isId(payload.authorId) &&
    typeof payload.title === 'string' &&
    typeof payload.body === 'string' &&
    typeof payload.language === 'string' &&
    Array.isArray(payload.tags) &&
    payload.tags.every((tag) => typeof tag === 'string')
  );
}

/** PostgreSQL text cannot hold NUL. */
function clean(text: string): string {
  return text.replaceAll('\u0000', ' ');
}
