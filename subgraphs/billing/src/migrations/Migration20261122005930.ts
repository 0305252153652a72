import { Migration } from '@mikro-orm/migrations';

export class Migration20261122005930 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "billing"."invoice" ("id" uuid not null, "user_id" uuid not null, "number" text not null, "currency" text not null, "total_minor" int not null, "status" text not null, "lines" jsonb not null, "issued_at" timestamptz not null, constraint "invoice_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "billing"."invoice" add constraint "invoice_number_unique" unique ("number");`);
    this.addSql(`create index "invoice_user_id_idx" on "billing"."invoice" ("user_id", "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "billing"."invoice" cascade;`);
  }
}
