import { Migration } from '@mikro-orm/migrations';

export class Migration20261122021441 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "users"."follow" ("id" uuid not null, "follower_id" uuid not null, "followee_id" uuid not null, "created_at" timestamptz not null, constraint "follow_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "follow_follower_id_idx" on "users"."follow" ("follower_id", "id");`);
    this.addSql(`create index "follow_followee_id_idx" on "users"."follow" ("followee_id", "id");`);
    this.addSql(
      `alter table "users"."follow" add constraint "follow_pair_unique" unique ("follower_id", "followee_id");`,
    );

    this.addSql(
      `alter table "users"."user" add column "follower_count" int not null default 0, add column "following_count" int not null default 0, add column "flagged_for_review_at" timestamptz null;`,
    );
    this.addSql(
      `create index "user_flagged_for_review_idx" on "users"."user" ("flagged_for_review_at", "id") where "flagged_for_review_at" is not null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "users"."follow" cascade;`);

    this.addSql(`drop index "users"."user_flagged_for_review_idx";`);
    this.addSql(
      `alter table "users"."user" drop column "follower_count", drop column "following_count", drop column "flagged_for_review_at";`,
    );
  }
}
