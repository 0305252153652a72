import type { EntityManager } from '@mikro-orm/postgresql';
import { InputValidator, isId, recordEvent, uuidv7, type PageArgs } from '@supergraph/subgraph-kit';
import { PostSchema, type Post } from './post.entity.js';

export const POSTS_STREAM = 'content.posts';

/** ISO 639-1 codes accepted for `Post.language`. */
export const LANGUAGES = new Set([
  'en',
  'ru',
  'de',
  'fr',
  'es',
  'it',
  'pt',
  'nl',
  'sv',
  'pl',
  'uk',
  'tr',
  'ja',
  'zh',
  'ko',
  'ar',
]);
const TAG = /^[a-z0-9][a-z0-9-]{0,31}$/;

export interface CreatePostInput {
  title: string;
  body: string;
  tags?: string[] | null;
  language?: string | null;
  premium?: boolean | null;
}

export class PostService {
  constructor(private readonly em: EntityManager) {}

  /** A post by `authorId` (the caller's subject, which is their users-profile id). */
  async create(authorId: string, input: CreatePostInput): Promise<Post> {
    const check = new InputValidator();
    const title = check.text('input.title', input.title, 1, 200);
    const body = check.text('input.body', input.body, 1, 20_000);
    const tags = [...new Set((input.tags ?? []).map((tag) => tag.trim().toLowerCase()))];
    check.check(tags.length <= 10, 'input.tags', 'must have at most 10 tags');
    check.check(
      tags.every((tag) => TAG.test(tag)),
      'input.tags',
      'must be 1–32 lower-case letters, digits or dashes each',
    );
    const language = (input.language ?? 'en').trim().toLowerCase();
    check.check(LANGUAGES.has(language), 'input.language', `must be one of ${[...LANGUAGES].join(', ')}`);
    check.done();

    const now = new Date();
    const post = this.em.create(PostSchema, {
      id: uuidv7(),
      authorId: authorId.toLowerCase(),
      title,
      body,
      tags,
      language,
      premium: input.premium ?? false,
      status: 'VISIBLE',
      statusChangedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    recordEvent(this.em, {
      stream: POSTS_STREAM,
      type: 'PostCreated',
      aggregateId: post.id,
      payload: {
        id: post.id,
        authorId: post.authorId,
        title,
        body,
        tags,
        language,
        premium: post.premium,
        createdAt: now.toISOString(),
      },
    });
    await this.em.flush();
    return post;
  }

  /** Newest visible posts of everyone (lists never show hidden or removed posts). */
  latest({ first, after }: PageArgs): Promise<Post[]> {
    return this.em.find(PostSchema, after ? { id: { $lt: after }, status: 'VISIBLE' } : { status: 'VISIBLE' }, {
      orderBy: { id: 'desc' },
      limit: first + 1,
    });
  }

  /**
   * Pages of several authors' posts in one query (`User.posts` for every user of a response level):
   * newest first, at most `first + 1` per author so the connection knows whether there is more.
   */
  async pagesByAuthor(authorIds: readonly string[], { first, after }: PageArgs): Promise<Map<string, Post[]>> {
    const valid = authorIds.filter(isId);
    const pages = new Map<string, Post[]>(authorIds.map((id) => [id, []]));
    if (valid.length === 0) return pages;
    const meta = this.em.getMetadata().get(PostSchema.meta.className);
    const table = `"${this.em.config.get('schema')}"."${meta.tableName}"`;
    const rows = await this.em.getConnection().execute<Record<string, unknown>[]>(
      `select * from (
         select p.*, row_number() over (partition by p.author_id order by p.id desc) as rn
         from ${table} p
         where p.author_id = any(?::uuid[]) and p.status = 'VISIBLE' ${after ? 'and p.id < ?' : ''}
       ) ranked
       where rn <= ?
       order by author_id, id desc`,
      // knex would expand a JS array into a list; a PostgreSQL array literal of validated UUIDs is exact.
      after ? [`{${valid.join(',')}}`, after, first + 1] : [`{${valid.join(',')}}`, first + 1],
    );
    for (const row of rows) {
      const post = this.em.map(PostSchema, row);
      pages.get(post.authorId)?.push(post);
    }
    return pages;
  }
}
