import type { EntityManager } from '@mikro-orm/postgresql';
import type { DomainEvent } from '@supergraph/events';
import { AppError } from '@supergraph/errors';
import { encodeCursor, type PageArgs } from '@supergraph/subgraph-kit';
import { SearchDocumentSchema } from './search-document.entity.js';

const MAX_QUERY_LENGTH = 256;

interface PostCreatedPayload {
  id: string;
  authorId: string;
  title: string;
  body: string;
  tags: string[];
  language: string;
  createdAt: string;
}

/** Keeps the read model and answers queries on it. */
export class SearchService {
  constructor(private readonly em: EntityManager) {}

  private table(): string {
    const meta = this.em.getMetadata().get(SearchDocumentSchema.meta.className);
    return `"${this.em.config.get('schema')}"."${meta.tableName}"`;
  }

  /** Applies a content event to the read model (upsert: replays are harmless). */
  async apply(event: DomainEvent): Promise<void> {
    if (event.type !== 'PostCreated') return;
    const post = event.payload as unknown as PostCreatedPayload;
    await this.em.upsert(SearchDocumentSchema, {
      postId: post.id,
      authorId: post.authorId,
      title: post.title,
      body: post.body,
      tags: post.tags,
      language: post.language,
      createdAt: new Date(post.createdAt),
      indexedAt: new Date(),
    });
  }

  /**
   * `websearch_to_tsquery` over the weighted document (title A, tags B, body C), ranked with
   * `ts_rank_cd`, ties broken by recency. Pages continue by offset, carried in the cursor.
   */
  async search(rawQuery: string, { first }: PageArgs, offset: number) {
    const query = rawQuery.trim();
    if (query.length === 0) throw AppError.invalidField('query', 'must not be empty');
    if (query.length > MAX_QUERY_LENGTH)
      throw AppError.invalidField('query', `must be at most ${MAX_QUERY_LENGTH} characters`);
    const connection = this.em.getConnection();
    const table = this.table();
    const [count] = await connection.execute<{ total: string }[]>(
      `select count(*) as total from ${table} where document @@ websearch_to_tsquery('simple', ?)`,
      [query],
    );
    const rows = await connection.execute<{ post_id: string; score: number }[]>(
      `select post_id, ts_rank_cd(document, q) as score
       from ${table}, websearch_to_tsquery('simple', ?) q
       where document @@ q
       order by score desc, post_id desc
       limit ? offset ?`,
      [query, first + 1, offset],
    );
    const page = rows.slice(0, first);
    return {
      totalCount: Number(count?.total ?? 0),
      edges: page.map((row, index) => ({
        cursor: encodeCursor(offsetCursorId(offset + index + 1)),
        node: { __typename: 'Post', id: row.post_id },
        score: Number(row.score),
      })),
      pageInfo: {
        hasNextPage: rows.length > first,
        endCursor: page.length ? encodeCursor(offsetCursorId(offset + page.length)) : null,
      },
    };
  }
}

/**
 * Search results have no stable id order, so their cursors carry an offset, encoded as a UUID-shaped
 * value so that they share the one cursor format of the API.
 */
export function offsetCursorId(offset: number): string {
  const hex = offset.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

export function offsetFromCursorId(id: string | undefined): number {
  if (!id) return 0;
  return Number.parseInt(id.slice(-12), 16);
}
