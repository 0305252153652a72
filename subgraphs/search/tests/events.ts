import { uuidv7, type DomainEvent } from '@supergraph/events';

export const ALICE = '01900000-0000-7000-8000-00000000a11c';
export const BOB = '01900000-0000-7000-8000-000000000b0b';

/** Payload times: one minute apart from a fixed start, in the order the test asks for them. */
let clock = Date.parse('2026-01-01T00:00:00.000Z');
export function tick(): string {
  clock += 60_000;
  return new Date(clock).toISOString();
}

function event(stream: string, type: string, aggregateId: string, payload: Record<string, unknown>): DomainEvent {
  return { id: uuidv7(), stream, type, aggregateId, payload, occurredAt: new Date().toISOString() };
}

export interface PostFields {
  title: string;
  body: string;
  tags?: string[];
  language?: string;
  authorId?: string;
  premium?: boolean;
}

/** A `PostCreated` as content records it (docs/events.md). */
export function postCreated(fields: PostFields, id = uuidv7(), createdAt = tick()): DomainEvent {
  return event('content.posts', 'PostCreated', id, {
    id,
    authorId: fields.authorId ?? ALICE,
    title: fields.title,
    body: fields.body,
    tags: fields.tags ?? [],
    language: fields.language ?? 'en',
    premium: fields.premium ?? false,
    createdAt,
  });
}

export function postEdited(id: string, fields: PostFields, editedAt = tick()): DomainEvent {
  return event('content.posts', 'PostEdited', id, {
    id,
    authorId: fields.authorId ?? ALICE,
    title: fields.title,
    body: fields.body,
    tags: fields.tags ?? [],
    language: fields.language ?? 'en',
    premium: fields.premium ?? false,
    editedAt,
  });
}

export function postDeleted(id: string, deletedAt = tick()): DomainEvent {
  return event('content.posts', 'PostDeleted', id, { id, authorId: ALICE, deletedAt });
}

export function statusChanged(
  postId: string,
  status: 'VISIBLE' | 'HIDDEN' | 'REMOVED',
  changedAt = tick(),
  contentType: 'POST' | 'COMMENT' = 'POST',
): DomainEvent {
  return event('moderation.decisions', 'ModerationStatusChanged', postId, {
    contentType,
    contentId: contentType === 'POST' ? postId : uuidv7(),
    postId,
    authorId: ALICE,
    status,
    changedAt,
    caseId: uuidv7(),
    reason: 'test',
    moderator: null,
  });
}

export const SEARCH = `query Search($q: String!, $filter: SearchFilter, $first: Int, $after: String) {
  search(query: $q, filter: $filter, first: $first, after: $after) {
    totalCount
    correctedQuery
    edges { cursor node { post { id } rank highlights { title body } } }
    pageInfo { hasNextPage endCursor }
    facets { languages { value count } tags { value count } }
  }
}`;

export interface SearchResult {
  totalCount: number;
  correctedQuery: string | null;
  edges: {
    cursor: string;
    node: { post: { id: string }; rank: number; highlights: { title: string; body: string | null } };
  }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  facets: { languages: { value: string; count: number }[]; tags: { value: string; count: number }[] };
}
