import { Migration } from '@mikro-orm/migrations';

export class Migration20261122000047 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create schema if not exists "users";`);
    this.addSql(
      `create table "users"."outbox_event" ("id" uuid not null, "stream" text not null, "type" text not null, "aggregate_id" text not null, "payload" jsonb not null, "created_at" timestamptz not null, "published_at" timestamptz null, constraint "outbox_event_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "outbox_event_unpublished_idx" on "users"."outbox_event" ("id") where "published_at" is null;`,
    );

    this.addSql(
      `create table "users"."processed_event" ("consumer" text not null, "event_id" uuid not null, "processed_at" timestamptz not null, constraint "processed_event_pkey" primary key ("consumer", "event_id"));`,
    );

    this.addSql(
      `create table "users"."user" ("id" uuid not null, "handle" text not null, "display_name" text not null, "bio" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "user_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "users"."user" add constraint "user_handle_unique" unique ("handle");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "users"."outbox_event" cascade;`);

    this.addSql(`drop table if exists "users"."processed_event" cascade;`);

    this.addSql(`drop table if exists "users"."user" cascade;`);

    this.addSql(`drop schema if exists "users";`);
  }
}
