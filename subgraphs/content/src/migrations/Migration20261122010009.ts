import { Migration } from '@mikro-orm/migrations';

export class Migration20261122010009 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "content"."plan_entitlement" ("user_id" uuid not null, "plan" text not null, "status" text not null, "changed_at" timestamptz not null, constraint "plan_entitlement_pkey" primary key ("user_id"));`,
    );

    this.addSql(`alter table "content"."post" add column "premium" boolean not null default false;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "content"."plan_entitlement" cascade;`);

    this.addSql(`alter table "content"."post" drop column "premium";`);
  }
}
