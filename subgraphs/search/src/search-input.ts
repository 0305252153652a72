import { AppError } from '@supergraph/errors';
import { isId, type InputValidator } from '@supergraph/subgraph-kit';

export const MAX_QUERY_LENGTH = 256;
export const MAX_QUERY_WORDS = 32;
const MAX_LANGUAGES = 20;
const MAX_AUTHORS = 100;
const MAX_TAGS = 20;
const LANGUAGE = /^[a-z]{2}$/;
const TAG = /^[a-z0-9][a-z0-9-]{0,31}$/;
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text-search configuration per ISO 639-1 code, as `search.ts_config` in the migration maps them. */
const CONFIGS: Readonly<Record<string, string>> = {
  en: 'search.english',
  ru: 'search.russian',
  uk: 'search.russian',
  de: 'search.german',
  fr: 'search.french',
  es: 'search.spanish',
  it: 'search.italian',
  pt: 'search.portuguese',
  nl: 'search.dutch',
  sv: 'search.swedish',
  tr: 'search.turkish',
};
export const FALLBACK_CONFIG = 'search.simple';
export const ALL_CONFIGS = [...new Set([...Object.values(CONFIGS), FALLBACK_CONFIG])];

export function configOf(language: string): string {
  return CONFIGS[language] ?? FALLBACK_CONFIG;
}

export interface SearchFilterInput {
  languages?: readonly string[] | null;
  authorIds?: readonly string[] | null;
  tags?: readonly string[] | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
}

export interface SearchFilter {
  readonly languages: readonly string[] | null;
  readonly authorIds: readonly string[] | null;
  readonly tags: readonly string[] | null;
  readonly createdAfter: Date | null;
  readonly createdBefore: Date | null;
}

/** Where a page starts: after the hit with this rank (as PostgreSQL printed the `real`) and post id. */
export interface SearchCursor {
  readonly rank: string;
  readonly postId: string;
}

/**
 * The query as PostgreSQL may see it: control characters (NUL cannot even be stored) and lone
 * surrogates become spaces; empty, overlong and many-worded queries are refused. Everything else is
 * `websearch_to_tsquery`'s to interpret, which accepts any text without a syntax error.
 */
export function normalizeQuery(raw: string, validator: InputValidator): string {
  const query = raw.replace(UNSAFE, ' ').trim();
  validator.text('query', query, 1, MAX_QUERY_LENGTH);
  validator.check(query.split(/\s+/).length <= MAX_QUERY_WORDS, 'query', `must have at most ${MAX_QUERY_WORDS} words`);
  return query;
}

export function normalizeFilter(input: SearchFilterInput | null | undefined, validator: InputValidator): SearchFilter {
  const list = (field: string, values: readonly string[] | null | undefined, max: number, valid: RegExp | null) => {
    if (values == null) return null;
    validator.check(values.length <= max, `filter.${field}`, `must have at most ${max} values`);
    validator.check(
      values.every((value) => (valid ? valid.test(value) : isId(value))),
      `filter.${field}`,
      valid === LANGUAGE ? 'must be ISO 639-1 codes' : valid === TAG ? 'must be tags' : 'must be ids',
    );
    return [...new Set(values.map((value) => value.toLowerCase()))];
  };
  const filter: SearchFilter = {
    languages: list('languages', input?.languages, MAX_LANGUAGES, LANGUAGE),
    authorIds: list('authorIds', input?.authorIds, MAX_AUTHORS, null),
    tags: list('tags', input?.tags, MAX_TAGS, TAG),
    createdAfter: input?.createdAfter ?? null,
    createdBefore: input?.createdBefore ?? null,
  };
  return filter;
}

/** Cursors are opaque: base64url of `rank:<real>:<post id>` (a keyset, not an offset). */
export function encodeSearchCursor(cursor: SearchCursor): string {
  return Buffer.from(`rank:${cursor.rank}:${cursor.postId}`).toString('base64url');
}

export function decodeSearchCursor(cursor: string): SearchCursor {
  const match = /^rank:([0-9.e+-]{1,32}):([0-9a-f-]{36})$/i.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const rank = match?.[1];
  const postId = match?.[2];
  if (!rank || !postId || !Number.isFinite(Number(rank)) || !isId(postId))
    throw AppError.invalidField('after', 'is not a cursor returned by this API');
  return { rank, postId };
}

/**
 * Queries eligible for spelling correction: one to three plain words (no phrases, OR or exclusions),
 * where a typo is the likely reason for finding nothing.
 */
export function correctableWords(query: string): string[] | null {
  const words = query.split(/\s+/);
  if (words.length > 3 || words.some((word) => !/^[\p{L}\p{N}]{3,32}$/u.test(word) || word.toUpperCase() === 'OR'))
    return null;
  return words;
}
