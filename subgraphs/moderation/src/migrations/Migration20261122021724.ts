import { Migration } from '@mikro-orm/migrations';

/**
 * Rules, reports, cases, the append-only audit log and author flags (issue #7). `content_moderation`
 * (post id → status) becomes `content_item` (posts and comments), keeping its rows.
 */
export class Migration20261122021724 extends Migration {
  override async up(): Promise<void> {
    // content_moderation → content_item: same rows, now for posts and comments.
    this.addSql(`alter table "moderation"."content_moderation" rename to "content_item";`);
    this.addSql(
      `alter table "moderation"."content_item" rename constraint "content_moderation_pkey" to "content_item_pkey";`,
    );
    this.addSql(`alter table "moderation"."content_item" rename column "post_id" to "id";`);
    this.addSql(`alter table "moderation"."content_item" rename column "updated_at" to "status_changed_at";`);
    this.addSql(`alter table "moderation"."content_item" alter column "status_changed_at" drop not null;`);
    this.addSql(
      `alter table "moderation"."content_item" add column "content_type" text not null default 'POST', add column "post_id" uuid null, add column "author_id" text null, add column "version_at" timestamptz null, add column "deleted_at" timestamptz null;`,
    );
    this.addSql(`update "moderation"."content_item" set "post_id" = "id";`);
    this.addSql(
      `alter table "moderation"."content_item" alter column "post_id" set not null, alter column "status" set default 'VISIBLE';`,
    );
    // Removals per author (AuthorFlagged threshold).
    this.addSql(
      `create index "content_item_removed_author_idx" on "moderation"."content_item" ("author_id") where "status" = 'REMOVED';`,
    );

    this.addSql(
      `alter table "moderation"."moderation_rule" add column "kind" text not null default 'WORD', add column "updated_at" timestamptz not null default now(), add column "deleted_at" timestamptz null;`,
    );

    this.addSql(
      `create table "moderation"."moderation_case" ("id" uuid not null, "content_type" text not null, "content_id" uuid not null, "post_id" uuid not null, "author_id" text null, "state" text not null, "severity" int not null, "rule_id" uuid null, "report_count" int not null default 0, "excerpt" text null, "claimed_by" text null, "claimed_at" timestamptz null, "decision" text null, "decided_by" text null, "decided_at" timestamptz null, "note" text null, "opened_at" timestamptz not null, "updated_at" timestamptz not null, constraint "moderation_case_pkey" primary key ("id"));`,
    );
    // The review queue: cases not closed, severity desc then oldest (UUIDv7) first.
    this.addSql(
      `create index "moderation_case_queue_idx" on "moderation"."moderation_case" ("severity" desc, "id") where "state" <> 'CLOSED';`,
    );
    // At most one case per content item is not closed.
    this.addSql(
      `create unique index "moderation_case_open_content_uniq" on "moderation"."moderation_case" ("content_id") where "state" <> 'CLOSED';`,
    );
    // A content item's cases, newest first (Post.moderation.case).
    this.addSql(`create index "moderation_case_content_idx" on "moderation"."moderation_case" ("content_id", "id");`);

    this.addSql(
      `create table "moderation"."content_report" ("id" uuid not null, "content_type" text not null, "content_id" uuid not null, "reporter_id" text not null, "reason" text not null, "case_id" uuid not null, "state" text not null, "created_at" timestamptz not null, "resolved_at" timestamptz null, constraint "content_report_pkey" primary key ("id"));`,
    );
    // One open report per user and content item.
    this.addSql(
      `create unique index "content_report_open_uniq" on "moderation"."content_report" ("reporter_id", "content_id") where "state" = 'OPEN';`,
    );
    this.addSql(`create index "content_report_case_idx" on "moderation"."content_report" ("case_id");`);

    this.addSql(
      `create table "moderation"."audit_entry" ("id" uuid not null, "actor" text not null, "action" text not null, "target_type" text not null, "target_id" text not null, "reason" text null, "details" jsonb not null, "at" timestamptz not null, constraint "audit_entry_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "audit_entry_target_idx" on "moderation"."audit_entry" ("target_id", "id");`);
    // Append-only, whatever the application does: updates, deletes and truncation are refused.
    this.addSql(`create function "moderation"."audit_entry_append_only"() returns trigger language plpgsql as $$
begin
  raise exception 'audit_entry is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
end;
$$;`);
    this.addSql(
      `create trigger "audit_entry_no_update_delete" before update or delete on "moderation"."audit_entry" for each row execute function "moderation"."audit_entry_append_only"();`,
    );
    this.addSql(
      `create trigger "audit_entry_no_truncate" before truncate on "moderation"."audit_entry" for each statement execute function "moderation"."audit_entry_append_only"();`,
    );

    this.addSql(
      `create table "moderation"."author_flag" ("user_id" text not null, "removals" int not null, "threshold" int not null, "flagged_at" timestamptz not null, constraint "author_flag_pkey" primary key ("user_id"));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "moderation"."author_flag" cascade;`);
    this.addSql(`drop table if exists "moderation"."audit_entry" cascade;`);
    this.addSql(`drop function if exists "moderation"."audit_entry_append_only"();`);
    this.addSql(`drop table if exists "moderation"."content_report" cascade;`);
    this.addSql(`drop table if exists "moderation"."moderation_case" cascade;`);
    this.addSql(
      `alter table "moderation"."moderation_rule" drop column "kind", drop column "updated_at", drop column "deleted_at";`,
    );
    this.addSql(`delete from "moderation"."content_item" where "content_type" <> 'POST';`);
    this.addSql(`drop index "moderation"."content_item_removed_author_idx";`);
    this.addSql(
      `alter table "moderation"."content_item" drop column "content_type", drop column "post_id", drop column "author_id", drop column "version_at", drop column "deleted_at";`,
    );
    this.addSql(
      `update "moderation"."content_item" set "status_changed_at" = now() where "status_changed_at" is null;`,
    );
    this.addSql(`alter table "moderation"."content_item" alter column "status_changed_at" set not null;`);
    this.addSql(`alter table "moderation"."content_item" rename column "status_changed_at" to "updated_at";`);
    this.addSql(`alter table "moderation"."content_item" rename column "id" to "post_id";`);
    this.addSql(
      `alter table "moderation"."content_item" rename constraint "content_item_pkey" to "content_moderation_pkey";`,
    );
    this.addSql(`alter table "moderation"."content_item" rename to "content_moderation";`);
  }
}
