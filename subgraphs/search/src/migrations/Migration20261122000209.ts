import { Migration } from '@mikro-orm/migrations';

export class Migration20261122000209 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create schema if not exists "search";`);
    this.addSql(
      `create table "search"."outbox_event" ("id" uuid not null, "stream" text not null, "type" text not null, "aggregate_id" text not null, "payload" jsonb not null, "created_at" timestamptz not null, "published_at" timestamptz null, constraint "outbox_event_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "outbox_event_unpublished_idx" on "search"."outbox_event" ("id") where "published_at" is null;`,
    );

    this.addSql(
      `create table "search"."processed_event" ("consumer" text not null, "event_id" uuid not null, "processed_at" timestamptz not null, constraint "processed_event_pkey" primary key ("consumer", "event_id"));`,
    );

    this.addSql(
      `create table "search"."search_document" ("post_id" uuid not null, "author_id" uuid not null, "title" text not null, "body" text not null, "tags" text[] not null, "language" text not null, "created_at" timestamptz not null, "indexed_at" timestamptz not null, "document" tsvector generated always as (setweight(to_tsvector('simple', title), 'A') || setweight(array_to_tsvector(tags), 'B') || setweight(to_tsvector('simple', body), 'C')) stored null, constraint "search_document_pkey" primary key ("post_id"));`,
    );
    this.addSql(`create index "search_document_document_idx" on "search"."search_document" using gin ("document");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "search"."outbox_event" cascade;`);

    this.addSql(`drop table if exists "search"."processed_event" cascade;`);

    this.addSql(`drop table if exists "search"."search_document" cascade;`);

    this.addSql(`drop schema if exists "search";`);
  }
}
