import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '@supergraph/errors';
import { tableOf, uuidv7 } from '@supergraph/subgraph-kit';

/** The idempotency key of one create mutation call; `key` is what the client sent (or nothing). */
export interface IdempotencyRequest {
  readonly subject: string;
  /** e.g. `createPost`. */
  readonly operation: string;
  readonly key: string | null | undefined;
  /** The normalised input: equal inputs (after trimming, lower-casing, defaults) are the same request. */
  readonly input: unknown;
}

/** Throws BAD_USER_INPUT unless the key is absent or 1–100 characters. Call with the input's other checks. */
export function idempotencyKeyProblem(key: string | null | undefined): string | undefined {
  if (key == null) return undefined;
  return key.length >= 1 && key.length <= 100 ? undefined : 'must be 1–100 characters';
}

/**
 * Runs `create(em, id)` at most once per (subject, operation, key): the key row is inserted first, in
 * the same transaction as the item, so a concurrent retry waits on it (PostgreSQL's ON CONFLICT waits
 * for the other transaction) and then finds the committed item. Without a key, creates once more.
 */
export async function createOnce<T>(
  em: EntityManager,
  request: IdempotencyRequest,
  create: (em: EntityManager, id: string) => Promise<T>,
  load: (em: EntityManager, id: string) => Promise<T | null>,
): Promise<T> {
  const id = uuidv7();
  if (request.key == null) return em.transactional((tx) => create(tx, id));
  const hash = createHash('sha256').update(JSON.stringify(request.input)).digest('hex');
  const table = tableOf(em, 'idempotency_key');
  return em.transactional(async (tx) => {
    const inserted = await tx.execute<{ result_id: string }[]>(
      `insert into ${table} (subject, operation, key, request_hash, result_id, created_at) values (?, ?, ?, ?, ?, now())
       on conflict do nothing returning result_id`,
      [request.subject, request.operation, request.key, hash, id],
    );
    if (inserted.length === 1) return create(tx, id);
    const [existing] = await tx.execute<{ request_hash: string; result_id: string }[]>(
      `select request_hash, result_id from ${table} where subject = ? and operation = ? and key = ?`,
      [request.subject, request.operation, request.key],
    );
    if (!existing || existing.request_hash !== hash) {
      throw AppError.conflict(
        `idempotencyKey was already used for ${request.operation} with a different input`,
        'idempotencyKey',
      );
    }
    const item = await load(tx, existing.result_id);
    // The first request's item was deleted or taken down since: the retry must not create another.
    if (item === null) throw AppError.conflict('idempotencyKey names an item that no longer exists', 'idempotencyKey');
    return item;
  });
}
