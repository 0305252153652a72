import { AppError } from '@supergraph/errors';

export interface PageArgs {
  readonly first: number;
  /** Decoded cursor: the id after which the page starts. */
  readonly after: string | undefined;
}

export interface Connection<T> {
  readonly edges: readonly { readonly cursor: string; readonly node: T }[];
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
}

const MAX_PAGE = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` has the shape of our ids (UUIDs); anything else names nothing. */
export function isId(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** Whether an event payload's time field is an ISO-8601 time PostgreSQL accepts (checked before writing). */
export function isTime(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

/** Cursors are opaque to clients: base64url of `id:<uuid>`. Ids are UUIDv7, so they sort by time. */
export function encodeCursor(id: string): string {
  return Buffer.from(`id:${id}`).toString('base64url');
}

export function decodeCursor(cursor: string, argument = 'after'): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = decoded.startsWith('id:') ? decoded.slice(3) : '';
  if (!UUID.test(id)) throw AppError.invalidField(argument, 'is not a cursor returned by this API');
  return id;
}

/** Validates `first` (1–100) and `after`; throws BAD_USER_INPUT naming the argument. */
export function parsePageArgs(args: { first?: number | null; after?: string | null }, defaultFirst = 20): PageArgs {
  const first = args.first ?? defaultFirst;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) {
    throw AppError.invalidField('first', `must be between 1 and ${MAX_PAGE}`);
  }
  return { first, after: args.after == null ? undefined : decodeCursor(args.after) };
}

/**
 * Builds a connection from up to `first + 1` rows fetched in page order: the extra row only tells
 * whether there is a next page.
 */
export function connection<T extends { id: string }>(rows: readonly T[], first: number): Connection<T> {
  const page = rows.slice(0, first);
  const last = page[page.length - 1];
  return {
    edges: page.map((node) => ({ cursor: encodeCursor(node.id), node })),
    pageInfo: { hasNextPage: rows.length > first, endCursor: last ? encodeCursor(last.id) : null },
  };
}
