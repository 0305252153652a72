import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '@supergraph/errors';
import { InputValidator, isId, recordEvent, uuidArray, type PageArgs } from '@supergraph/subgraph-kit';
import { PostSchema, type Post } from './post.entity.js';
import { createOnce, idempotencyKeyProblem } from './idempotency.js';
import { isPublic } from './visibility.js';

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
export const TITLE_MAX = 200;
export const BODY_MAX = 20_000;

export interface CreatePostInput {
  title: string;
  body: string;
  tags?: string[] | null;
  language?: string | null;
  premium?: boolean | null;
}

/** Throws (FORBIDDEN) unless the caller may change this post. */
export type Authorize = (post: Post) => void;

export interface EditPostInput {
  title?: string | null;
  body?: string | null;
  tags?: string[] | null;
  language?: string | null;
  premium?: boolean | null;
}

interface PostFields {
  title: string;
  body: string;
  tags: string[];
  language: string;
  premium: boolean;
}

function checkTags(check: InputValidator, raw: readonly string[]): string[] {
  const tags = [...new Set(raw.map((tag) => tag.trim().toLowerCase()))];
  check.check(tags.length <= 10, 'input.tags', 'must have at most 10 tags');
  check.check(
    tags.every((tag) => TAG.test(tag)),
    'input.tags',
    'must be 1–32 lower-case letters, digits or dashes each',
  );
  return tags;
}

function checkLanguage(check: InputValidator, raw: string): string {
  const language = raw.trim().toLowerCase();
  check.check(LANGUAGES.has(language), 'input.language', `must be one of ${[...LANGUAGES].join(', ')}`);
  return language;
}

/**
 * The feed: for each followee, its newest visible posts (an index range on `post_visible_author_idx`,
 * at most `limit` rows each), merged newest first. Reading is bounded by followees × page size, however
 * many posts a followee has ever written.
 */
export function feedSql(schema: string, after: boolean): string {
  return `select p.* from "${schema}"."follow" f
     cross join lateral (
       select * from "${schema}"."post" p
       where p.author_id = f.followee_id and p.status = 'VISIBLE' and p.deleted_at is null ${after ? 'and p.id < ?' : ''}
       order by p.id desc
       limit ?
     ) p
     where f.follower_id = ? and f.active
     order by p.id desc
     limit ?`;
}

/** `User.posts` for several authors: at most `limit` newest visible posts each, by `post_visible_author_idx`. */
export function authorPagesSql(schema: string, after: boolean): string {
  return `select * from (
       select p.*, row_number() over (partition by p.author_id order by p.id desc) as rn
       from "${schema}"."post" p
       where p.author_id = any(?::uuid[]) and p.status = 'VISIBLE' and p.deleted_at is null ${after ? 'and p.id < ?' : ''}
     ) ranked
     where rn <= ?
     order by author_id, id desc`;
}

export class PostService {
  constructor(private readonly em: EntityManager) {}

  /** A post by `authorId` (the caller's subject, which is their users-profile id), once per idempotency key. */
  async create(authorId: string, input: CreatePostInput, idempotencyKey?: string | null): Promise<Post> {
    const check = new InputValidator();
    const fields: PostFields = {
      title: check.text('input.title', input.title, 1, TITLE_MAX),
      body: check.text('input.body', input.body, 1, BODY_MAX),
      tags: checkTags(check, input.tags ?? []),
      language: checkLanguage(check, input.language ?? 'en'),
      premium: input.premium ?? false,
    };
    const keyProblem = idempotencyKeyProblem(idempotencyKey);
    check.check(keyProblem === undefined, 'idempotencyKey', keyProblem ?? '');
    check.done();

    const author = authorId.toLowerCase();
    return createOnce(
      this.em,
      { subject: author, operation: 'createPost', key: idempotencyKey, input: fields },
      (em, id) => this.insert(em, id, author, fields),
      (em, id) => em.findOne(PostSchema, { id }),
    );
  }

  private async insert(em: EntityManager, id: string, authorId: string, fields: PostFields): Promise<Post> {
    const now = new Date();
    const post = em.create(PostSchema, {
      id,
      authorId,
      ...fields,
      status: 'VISIBLE',
      statusChangedAt: null,
      likeCount: 0,
      createdAt: now,
      updatedAt: now,
      editedAt: null,
      deletedAt: null,
    });
    recordEvent(em, {
      stream: POSTS_STREAM,
      type: 'PostCreated',
      aggregateId: id,
      payload: { id, authorId, ...fields, createdAt: now.toISOString() },
    });
    await em.flush();
    return post;
  }

  /**
   * A post to change: NOT_FOUND when it does not exist or readers no longer see it (deleted, hidden,
   * removed); `authorize` decides who may (the post policy's edit/delete decisions: the author).
   */
  private async changeable(id: string, authorize: Authorize): Promise<Post> {
    const post = isId(id) ? await this.em.findOne(PostSchema, { id: id.toLowerCase() }) : null;
    if (!post || !isPublic(post)) throw AppError.notFound('Post', id);
    authorize(post);
    return post;
  }

  /** Changes the given fields of a post and publishes `PostEdited` with the whole new state. */
  async edit(id: string, input: EditPostInput, authorize: Authorize): Promise<Post> {
    const check = new InputValidator();
    const title = input.title == null ? undefined : check.text('input.title', input.title, 1, TITLE_MAX);
    const body = input.body == null ? undefined : check.text('input.body', input.body, 1, BODY_MAX);
    const tags = input.tags == null ? undefined : checkTags(check, input.tags);
    const language = input.language == null ? undefined : checkLanguage(check, input.language);
    check.done();

    const post = await this.changeable(id, authorize);
    const now = new Date();
    this.em.assign(post, {
      ...(title !== undefined ? { title } : {}),
      ...(body !== undefined ? { body } : {}),
      ...(tags !== undefined ? { tags } : {}),
      ...(language !== undefined ? { language } : {}),
      ...(input.premium != null ? { premium: input.premium } : {}),
      editedAt: now,
      updatedAt: now,
    });
    recordEvent(this.em, {
      stream: POSTS_STREAM,
      type: 'PostEdited',
      aggregateId: post.id,
      payload: {
        id: post.id,
        authorId: post.authorId,
        title: post.title,
        body: post.body,
        tags: post.tags,
        language: post.language,
        premium: post.premium,
        editedAt: now.toISOString(),
      },
    });
    await this.em.flush();
    return post;
  }

  /** Soft-deletes a post (the row stays for moderation and audit) and publishes `PostDeleted`. */
  async delete(id: string, authorize: Authorize): Promise<string> {
    const post = await this.changeable(id, authorize);
    const now = new Date();
    this.em.assign(post, { deletedAt: now, updatedAt: now });
    recordEvent(this.em, {
      stream: POSTS_STREAM,
      type: 'PostDeleted',
      aggregateId: post.id,
      payload: { id: post.id, authorId: post.authorId, deletedAt: now.toISOString() },
    });
    await this.em.flush();
    return post.id;
  }

  /** A visible post (for likes and comments), or null. */
  async findPublic(id: string): Promise<Post | null> {
    if (!isId(id)) return null;
    const post = await this.em.findOne(PostSchema, { id: id.toLowerCase() });
    return post && isPublic(post) ? post : null;
  }

  /** Newest visible posts of everyone (lists never show hidden, removed or deleted posts). */
  latest({ first, after }: PageArgs): Promise<Post[]> {
    const visible = { status: 'VISIBLE', deletedAt: null };
    return this.em.find(PostSchema, after ? { id: { $lt: after }, ...visible } : visible, {
      orderBy: { id: 'desc' },
      limit: first + 1,
    });
  }

  /** A page of the posts of the users `followerId` follows (content's follow read model), newest first. */
  async feed(followerId: string, { first, after }: PageArgs): Promise<Post[]> {
    const limit = first + 1;
    const rows = await this.em.execute<Record<string, unknown>[]>(
      feedSql(this.em.config.get('schema') as string, after !== undefined),
      after !== undefined ? [after, limit, followerId.toLowerCase(), limit] : [limit, followerId.toLowerCase(), limit],
    );
    return rows.map((row) => this.em.map(PostSchema, row));
  }

  /**
   * Pages of several authors' posts in one query (`User.posts` for every user of a response level):
   * newest first, at most `first + 1` per author so the connection knows whether there is more.
   */
  async pagesByAuthor(authorIds: readonly string[], { first, after }: PageArgs): Promise<Map<string, Post[]>> {
    const valid = authorIds.filter(isId);
    const pages = new Map<string, Post[]>(authorIds.map((id) => [id, []]));
    if (valid.length === 0) return pages;
    const rows = await this.em.execute<Record<string, unknown>[]>(
      authorPagesSql(this.em.config.get('schema') as string, after !== undefined),
      after ? [uuidArray(valid), after, first + 1] : [uuidArray(valid), first + 1],
    );
    for (const row of rows) {
      const post = this.em.map(PostSchema, row);
      pages.get(post.authorId)?.push(post);
    }
    return pages;
  }
}
