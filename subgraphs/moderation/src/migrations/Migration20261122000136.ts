import { Migration } from '@mikro-orm/migrations';

export class Migration20261122000136 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create schema if not exists "moderation";`);
    this.addSql(
      `create table "moderation"."content_moderation" ("post_id" uuid not null, "status" text not null, "updated_at" timestamptz not null, constraint "content_moderation_pkey" primary key ("post_id"));`,
    );

    this.addSql(
      `create table "moderation"."moderation_rule" ("id" uuid not null, "pattern" text not null, "severity" int not null, "action" text not null, "created_at" timestamptz not null, constraint "moderation_rule_pkey" primary key ("id"));`,
    );

    this.addSql(
      `create table "moderation"."outbox_event" ("id" uuid not null, "stream" text not null, "type" text not null, "aggregate_id" text not null, "payload" jsonb not null, "created_at" timestamptz not null, "published_at" timestamptz null, constraint "outbox_event_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "outbox_event_unpublished_idx" on "moderation"."outbox_event" ("id") where "published_at" is null;`,
    );

    this.addSql(
      `create table "moderation"."processed_event" ("consumer" text not null, "event_id" uuid not null, "processed_at" timestamptz not null, constraint "processed_event_pkey" primary key ("consumer", "event_id"));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "moderation"."content_moderation" cascade;`);

    this.addSql(`drop table if exists "moderation"."moderation_rule" cascade;`);

    this.addSql(`drop table if exists "moderation"."outbox_event" cascade;`);

    this.addSql(`drop table if exists "moderation"."processed_event" cascade;`);

    this.addSql(`drop schema if exists "moderation";`);
  }
}
