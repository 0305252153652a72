import { Migration } from '@mikro-orm/migrations';

export class Migration20261122021408 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "content"."comment" ("id" uuid not null, "post_id" uuid not null, "author_id" uuid not null, "parent_id" uuid null, "body" text not null, "status" text not null default 'VISIBLE', "status_changed_at" timestamptz null, "created_at" timestamptz not null, "edited_at" timestamptz null, "deleted_at" timestamptz null, constraint "comment_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "comment_visible_post_idx" on "content"."comment" ("post_id", "parent_id", "id") where "status" = 'VISIBLE' and "deleted_at" is null;`,
    );
    this.addSql(
      `create index "comment_visible_parent_idx" on "content"."comment" ("parent_id", "id") where "parent_id" is not null and "status" = 'VISIBLE' and "deleted_at" is null;`,
    );

    this.addSql(
      `create table "content"."follow" ("follower_id" uuid not null, "followee_id" uuid not null, "active" boolean not null, "changed_at" timestamptz not null, "event_count" int not null default 0, constraint "follow_pkey" primary key ("follower_id", "followee_id"));`,
    );

    this.addSql(
      `create table "content"."follow_count" ("user_id" uuid not null, "follower_count" int not null default 0, "following_count" int not null default 0, constraint "follow_count_pkey" primary key ("user_id"));`,
    );

    this.addSql(
      `create table "content"."idempotency_key" ("subject" uuid not null, "operation" text not null, "key" text not null, "request_hash" text not null, "result_id" uuid not null, "created_at" timestamptz not null, constraint "idempotency_key_pkey" primary key ("subject", "operation", "key"));`,
    );

    this.addSql(
      `create table "content"."post_like" ("post_id" uuid not null, "user_id" uuid not null, "created_at" timestamptz not null, constraint "post_like_pkey" primary key ("post_id", "user_id"));`,
    );

    this.addSql(
      `alter table "content"."post" add column "like_count" int not null default 0, add column "edited_at" timestamptz null, add column "deleted_at" timestamptz null;`,
    );
    this.addSql(
      `create index "post_visible_author_idx" on "content"."post" ("author_id", "id" desc) where "status" = 'VISIBLE' and "deleted_at" is null;`,
    );
    this.addSql(
      `create index "post_visible_idx" on "content"."post" ("id" desc) where "status" = 'VISIBLE' and "deleted_at" is null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "content"."comment" cascade;`);

    this.addSql(`drop table if exists "content"."follow" cascade;`);

    this.addSql(`drop table if exists "content"."follow_count" cascade;`);

    this.addSql(`drop table if exists "content"."idempotency_key" cascade;`);

    this.addSql(`drop table if exists "content"."post_like" cascade;`);

    this.addSql(`drop index "content"."post_visible_author_idx";`);
    this.addSql(`drop index "content"."post_visible_idx";`);
    this.addSql(
      `alter table "content"."post" drop column "like_count", drop column "edited_at", drop column "deleted_at";`,
    );
  }
}
