import { Migration } from '@mikro-orm/migrations';

/** Text-search configurations per language (with `unaccent`) understood by `search.ts_config`. */
const CONFIGURATIONS = [
  'english',
  'russian',
  'german',
  'french',
  'spanish',
  'italian',
  'portuguese',
  'dutch',
  'swedish',
  'turkish',
  'simple',
];

/**
 * Multilingual full-text search with moderation state: `unaccent` and `pg_trgm`, one text-search
 * configuration per language that strips accents before stemming, the document vector in the post's
 * language, tombstones and moderation status, and the word vocabulary for spelling corrections.
 * The extensions may already exist in another schema (one database shared by every subgraph), so
 * objects that name theirs are created with the schema looked up at migration time.
 */
export class Migration20261122021653 extends Migration {
  override async up(): Promise<void> {
    // Trusted extensions (PostgreSQL ≥ 13): a database owner may create them without superuser.
    this.addSql(`create extension if not exists unaccent schema public;`);
    this.addSql(`create extension if not exists pg_trgm schema public;`);
    this.addSql(`do $$
declare
  unaccent_schema text := (select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'unaccent');
  trgm_schema text := (select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm');
  config text;
begin
  -- unaccent() is only STABLE (its dictionary could change); with the dictionary named it is as
  -- immutable as the configurations below, which is what indexes and generated columns need.
  execute format(
    'create function "search".unaccent_text(value text) returns text language sql immutable parallel safe strict return %I.unaccent(%L::regdictionary, value)',
    unaccent_schema, unaccent_schema || '.unaccent');
  foreach config in array array['${CONFIGURATIONS.join("', '")}'] loop
    execute format('create text search configuration "search".%I (copy = pg_catalog.%I)', config, config);
    execute format('alter text search configuration "search".%I alter mapping for hword, hword_part, word with %I.unaccent, %I',
      config, unaccent_schema, case config when 'simple' then 'simple' else config || '_stem' end);
  end loop;
  create table "search"."search_word" ("word" text not null, constraint "search_word_pkey" primary key ("word"));
  execute format('create index "search_word_trgm_idx" on "search"."search_word" using gin ("word" %I.gin_trgm_ops)', trgm_schema);
  -- A string body (not BEGIN ATOMIC) so that a reindex can drop and replace the vocabulary table.
  execute format($f$
    create function "search".similar_word(term text) returns text language sql stable parallel safe
    as 'select word from "search"."search_word" where word operator(%1$I.%%) term order by %1$I.similarity(word, term) desc, word limit 1'$f$,
    trgm_schema);
end $$;`);
    this
      .addSql(`create function "search".ts_config(language text) returns regconfig language sql immutable parallel safe strict
return case language
  when 'en' then 'search.english'::regconfig
  when 'ru' then 'search.russian'::regconfig
  when 'uk' then 'search.russian'::regconfig
  when 'de' then 'search.german'::regconfig
  when 'fr' then 'search.french'::regconfig
  when 'es' then 'search.spanish'::regconfig
  when 'it' then 'search.italian'::regconfig
  when 'pt' then 'search.portuguese'::regconfig
  when 'nl' then 'search.dutch'::regconfig
  when 'sv' then 'search.swedish'::regconfig
  when 'tr' then 'search.turkish'::regconfig
  else 'search.simple'::regconfig
end;`);
    // array_to_string is only STABLE (element output functions could vary); for text[] it is not.
    this
      .addSql(`create function "search".document_vector(language text, title text, tags text[], body text) returns tsvector
language sql immutable parallel safe
return setweight(to_tsvector("search".ts_config(language), coalesce(title, '')), 'A') ||
  setweight(to_tsvector("search".ts_config(language), coalesce(array_to_string(tags, ' '), '')), 'B') ||
  setweight(to_tsvector("search".ts_config(language), coalesce(body, '')), 'C');`);
    this.addSql(`alter table "search"."search_document"
  drop column "document",
  alter column "author_id" drop not null,
  alter column "created_at" drop not null,
  alter column "title" set default '',
  alter column "body" set default '',
  alter column "tags" set default '{}',
  alter column "language" set default '',
  alter column "indexed_at" set default now(),
  add column "premium" boolean not null default false,
  add column "content_version" timestamptz null,
  add column "deleted_at" timestamptz null,
  add column "status" text not null default 'VISIBLE',
  add column "status_changed_at" timestamptz null;`);
    this.addSql(`update "search"."search_document" set "content_version" = "created_at";`);
    this.addSql(`alter table "search"."search_document"
  add column "ts_config" regconfig generated always as ("search".ts_config("language")) stored,
  add column "document" tsvector generated always as ("search".document_vector("language", "title", "tags", "body")) stored;`);
    this.addSql(
      `create index "search_document_document_idx" on "search"."search_document" using gin ("document") where "deleted_at" is null;`,
    );
    this.addSql(`insert into "search"."search_word" ("word")
  select distinct lexeme from "search"."search_document",
    unnest(to_tsvector('search.simple', "title" || ' ' || array_to_string("tags", ' ') || ' ' || "body"))
  where length(lexeme) between 3 and 32
  on conflict do nothing;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function "search".similar_word(text);`);
    this.addSql(`drop table if exists "search"."search_word";`);
    this.addSql(`delete from "search"."search_document" where "created_at" is null or "deleted_at" is not null;`);
    this.addSql(`alter table "search"."search_document"
  drop column "document", drop column "ts_config", drop column "premium", drop column "content_version",
  drop column "deleted_at", drop column "status", drop column "status_changed_at",
  alter column "author_id" set not null, alter column "created_at" set not null;`);
    this.addSql(`alter table "search"."search_document" add column "document" tsvector generated always as
  (setweight(to_tsvector('simple', title), 'A') || setweight(array_to_tsvector(tags), 'B') || setweight(to_tsvector('simple', body), 'C')) stored null;`);
    this.addSql(`create index "search_document_document_idx" on "search"."search_document" using gin ("document");`);
    this.addSql(`drop function "search".document_vector(text, text, text[], text);`);
    this.addSql(`drop function "search".ts_config(text);`);
    this.addSql(`drop function "search".unaccent_text(text);`);
    for (const config of CONFIGURATIONS) this.addSql(`drop text search configuration "search"."${config}";`);
  }
}
