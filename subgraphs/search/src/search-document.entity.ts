import { ArrayType, EntitySchema } from '@mikro-orm/core';

/**
 * The search read model of one post, built from content and moderation events only. Written and
 * read with SQL (`search-indexer.ts`, `search.service.ts`); this schema documents the table for the
 * ORM. A moderation event may arrive before the post's content: its row then has no `createdAt` yet
 * and never matches. A deleted post stays as a tombstone (text cleared) so late events cannot revive it.
 */
export interface SearchDocument {
  postId: string;
  authorId: string | null;
  title: string;
  body: string;
  tags: string[];
  /** ISO 639-1 code; picks the text-search configuration (`search.ts_config`). */
  language: string;
  premium: boolean;
  createdAt: Date | null;
  /** `createdAt` / `editedAt` of the content event applied last; older ones are ignored. */
  contentVersion: Date | null;
  deletedAt: Date | null;
  status: 'VISIBLE' | 'HIDDEN' | 'REMOVED';
  /** `changedAt` of the moderation event applied last; older ones are ignored. */
  statusChangedAt: Date | null;
  indexedAt: Date;
  /** Generated: `search.ts_config(language)`. */
  tsConfig?: unknown;
  /** Generated: title (weight A), tags (B) and body (C) in the language's configuration. */
  document?: unknown;
}

export const SearchDocumentSchema = new EntitySchema<SearchDocument>({
  name: 'SearchDocument',
  tableName: 'search_document',
  properties: {
    postId: { type: 'uuid', primary: true },
    authorId: { type: 'uuid', nullable: true },
    title: { type: 'text', default: '' },
    body: { type: 'text', default: '' },
    tags: { type: ArrayType, columnType: 'text[]', default: '{}' },
    language: { type: 'text', default: '' },
    premium: { type: 'boolean', default: false },
    createdAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    contentVersion: { type: 'Date', columnType: 'timestamptz', nullable: true },
    deletedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    status: { type: 'text', default: 'VISIBLE' },
    statusChangedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    indexedAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    tsConfig: {
      type: 'unknown',
      columnType: 'regconfig',
      generated: `("search".ts_config(language)) stored`,
      lazy: true,
      hidden: true,
      nullable: true,
    },
    document: {
      type: 'unknown',
      columnType: 'tsvector',
      generated: `("search".document_vector(language, title, tags, body)) stored`,
      lazy: true,
      hidden: true,
      nullable: true,
    },
  },
  indexes: [
    {
      name: 'search_document_document_idx',
      expression:
        'create index "search_document_document_idx" on "search"."search_document" using gin ("document") where "deleted_at" is null',
    },
  ],
});

/** Every word of the indexed text (unaccented, lower case): the vocabulary of spelling corrections. */
export interface SearchWord {
  word: string;
}

export const SearchWordSchema = new EntitySchema<SearchWord>({
  name: 'SearchWord',
  tableName: 'search_word',
  properties: { word: { type: 'text', primary: true } },
  indexes: [
    {
      name: 'search_word_trgm_idx',
      expression: 'create index "search_word_trgm_idx" on "search"."search_word" using gin ("word" gin_trgm_ops)',
    },
  ],
});
