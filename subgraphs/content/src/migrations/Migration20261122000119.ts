import { Migration } from '@mikro-orm/migrations';

export class Migration20261122000119 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create schema if not exists "content";`);
    this.addSql(
      `create table "content"."outbox_event" ("id" uuid not null, "stream" text not null, "type" text not null, "aggregate_id" text not null, "payload" jsonb not null, "created_at" timestamptz not null, "published_at" timestamptz null, constraint "outbox_event_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "outbox_event_unpublished_idx" on "content"."outbox_event" ("id") where "published_at" is null;`,
    );

    this.addSql(
      `create table "content"."post" ("id" uuid not null, "author_id" uuid not null, "title" text not null, "body" text not null, "tags" text[] not null, "language" text not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "post_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "post_author_id_idx" on "content"."post" ("author_id", "id");`);

    this.addSql(
      `create table "content"."processed_event" ("consumer" text not null, "event_id" uuid not null, "processed_at" timestamptz not null, constraint "processed_event_pkey" primary key ("consumer", "event_id"));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "content"."outbox_event" cascade;`);

    this.addSql(`drop table if exists "content"."post" cascade;`);

    this.addSql(`drop table if exists "content"."processed_event" cascade;`);

    this.addSql(`drop schema if exists "content";`);
  }
}
