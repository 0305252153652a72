import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '@supergraph/errors';
import { InputValidator, isId, recordEvent, uuidArray, type PageArgs } from '@supergraph/subgraph-kit';
import { CommentSchema, type Comment } from './comment.entity.js';
import { createOnce, idempotencyKeyProblem } from './idempotency.js';
import { PostService } from './post.service.js';
import { isPublic } from './visibility.js';

export const COMMENTS_STREAM = 'content.comments';
export const COMMENT_MAX = 5_000;

export interface AddCommentInput {
  postId: string;
  body: string;
  parentId?: string | null;
}

/**
 * A page of visible comments for each of several keys in one query, oldest first, at most `first + 1`
 * each. `by` is `post_id` (top-level comments: `parent_id is null`) or `parent_id` (replies); both
 * read a partial index of visible comments.
 */
export function commentPagesSql(schema: string, by: 'post_id' | 'parent_id', after: boolean): string {
  return `select * from (
     select c.*, row_number() over (partition by c.${by} order by c.id) as rn
     from "${schema}"."comment" c
     where c.${by} = any(?::uuid[]) ${by === 'post_id' ? 'and c.parent_id is null' : 'and c.parent_id is not null'}
       and c.status = 'VISIBLE' and c.deleted_at is null ${after ? 'and c.id > ?' : ''}
   ) ranked
   where rn <= ?
   order by ${by}, id`;
}

/** Visible comments and replies per post (`Post.commentCount`), read from `comment_visible_post_idx`. */
export function commentCountsSql(schema: string): string {
  return `select post_id, count(*)::int as n from "${schema}"."comment"
     where post_id = any(?::uuid[]) and status = 'VISIBLE' and deleted_at is null group by post_id`;
}

export class CommentService {
  constructor(private readonly em: EntityManager) {}

  /** A comment or reply by `authorId` on a visible post, once per idempotency key; publishes `CommentCreated`. */
  async add(authorId: string, input: AddCommentInput, idempotencyKey?: string | null): Promise<Comment> {
    const check = new InputValidator();
    const body = check.text('input.body', input.body, 1, COMMENT_MAX);
    const postId = input.postId.toLowerCase();
    const parentId = input.parentId == null ? null : input.parentId.toLowerCase();
    const post = await new PostService(this.em).findPublic(postId);
    check.check(post !== null, 'input.postId', 'is not a visible post');
    if (post !== null && parentId !== null) {
      const parent = isId(parentId) ? await this.em.findOne(CommentSchema, { id: parentId }) : null;
      check.check(
        parent !== null && isPublic(parent) && parent.postId === post.id && parent.parentId === null,
        'input.parentId',
        'must be a visible top-level comment of the same post',
      );
    }
    const keyProblem = idempotencyKeyProblem(idempotencyKey);
    check.check(keyProblem === undefined, 'idempotencyKey', keyProblem ?? '');
    check.done();

    const author = authorId.toLowerCase();
    const fields = { postId, parentId, body };
    return createOnce(
      this.em,
      { subject: author, operation: 'addComment', key: idempotencyKey, input: fields },
      (em, id) => this.insert(em, id, author, fields),
      (em, id) => em.findOne(CommentSchema, { id }),
    );
  }

  private async insert(
    em: EntityManager,
    id: string,
    authorId: string,
    fields: { postId: string; parentId: string | null; body: string },
  ): Promise<Comment> {
    const now = new Date();
    const comment = em.create(CommentSchema, {
      id,
      authorId,
      ...fields,
      status: 'VISIBLE',
      statusChangedAt: null,
      createdAt: now,
      editedAt: null,
      deletedAt: null,
    });
    recordEvent(em, {
      stream: COMMENTS_STREAM,
      type: 'CommentCreated',
      aggregateId: id,
      payload: { id, ...fields, authorId, createdAt: now.toISOString() },
    });
    await em.flush();
    return comment;
  }

  /** The caller's own visible comment: NOT_FOUND when readers no longer see it, FORBIDDEN for others'. */
  private async ownComment(subject: string, id: string): Promise<Comment> {
    const comment = isId(id) ? await this.em.findOne(CommentSchema, { id: id.toLowerCase() }) : null;
    if (!comment || !isPublic(comment)) throw AppError.notFound('Comment', id);
    if (comment.authorId !== subject.toLowerCase()) throw AppError.forbidden('Only the author may change a comment');
    return comment;
  }

  async edit(subject: string, id: string, rawBody: string): Promise<Comment> {
    const check = new InputValidator();
    const body = check.text('body', rawBody, 1, COMMENT_MAX);
    check.done();
    const comment = await this.ownComment(subject, id);
    const now = new Date();
    this.em.assign(comment, { body, editedAt: now });
    recordEvent(this.em, {
      stream: COMMENTS_STREAM,
      type: 'CommentEdited',
      aggregateId: comment.id,
      payload: {
        id: comment.id,
        postId: comment.postId,
        authorId: comment.authorId,
        body,
        editedAt: now.toISOString(),
      },
    });
    await this.em.flush();
    return comment;
  }

  /** Soft-deletes the caller's comment; its replies stay (they still belong to the post's thread). */
  async delete(subject: string, id: string): Promise<string> {
    const comment = await this.ownComment(subject, id);
    const now = new Date();
    this.em.assign(comment, { deletedAt: now });
    recordEvent(this.em, {
      stream: COMMENTS_STREAM,
      type: 'CommentDeleted',
      aggregateId: comment.id,
      payload: { id: comment.id, postId: comment.postId, authorId: comment.authorId, deletedAt: now.toISOString() },
    });
    await this.em.flush();
    return comment.id;
  }

  /** Pages of visible comments per post (top level) or per parent (replies), in one query. */
  async pages(by: 'post_id' | 'parent_id', keys: readonly string[], { first, after }: PageArgs) {
    const valid = keys.filter(isId);
    const pages = new Map<string, Comment[]>(keys.map((key) => [key, []]));
    if (valid.length === 0) return pages;
    const rows = await this.em.execute<Record<string, unknown>[]>(
      commentPagesSql(this.em.config.get('schema') as string, by, after !== undefined),
      after !== undefined ? [uuidArray(valid), after, first + 1] : [uuidArray(valid), first + 1],
    );
    for (const row of rows) {
      const comment = this.em.map(CommentSchema, row);
      pages.get((by === 'post_id' ? comment.postId : comment.parentId) ?? '')?.push(comment);
    }
    return pages;
  }

  /** Visible comments and replies per post, in one query. */
  async counts(postIds: readonly string[]): Promise<Map<string, number>> {
    const valid = postIds.filter(isId);
    if (valid.length === 0) return new Map();
    const rows = await this.em.execute<{ post_id: string; n: number }[]>(
      commentCountsSql(this.em.config.get('schema') as string),
      [uuidArray(valid)],
    );
    return new Map(rows.map((row) => [row.post_id, row.n]));
  }
}
