import { Migration } from '@mikro-orm/migrations';

export class Migration20261122003155 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "users"."user_audit" ("id" uuid not null, "user_id" uuid not null, "action" text not null, "reason" text null, "actor" text not null, "created_at" timestamptz not null, constraint "user_audit_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "user_audit_user_id_idx" on "users"."user_audit" ("user_id");`);

    this.addSql(`alter table "users"."user" add column "disabled_at" timestamptz null;`);
    this.addSql(`create index "user_created_at_id_idx" on "users"."user" ("created_at", "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "users"."user_audit" cascade;`);

    this.addSql(`drop index "users"."user_created_at_id_idx";`);
    this.addSql(`alter table "users"."user" drop column "disabled_at";`);
  }
}
