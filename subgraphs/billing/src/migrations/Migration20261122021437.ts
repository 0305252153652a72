import { Migration } from '@mikro-orm/migrations';

/**
 * The partner plan (unlisted: agreed by contract, not self-service); a sequence for invoice numbers (a count-based number raced under concurrent
 * webhooks); one local subscription per provider subscription.
 */
export class Migration20261122021437 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "billing"."plan" add column "listed" boolean not null default true;`);
    this.addSql(`insert into "billing"."plan" ("code", "name", "price_minor", "currency", "listed") values
      ('PARTNER', 'Partner', 4900, 'USD', false)
      on conflict ("code") do nothing;`);
    this.addSql(`create sequence "billing"."invoice_number_seq";`);
    this.addSql(
      `select setval('"billing"."invoice_number_seq"', (select count(*) from "billing"."invoice") + 1, false);`,
    );
    this.addSql(
      `create unique index "customer_subscription_provider_subscription_id_unique" on "billing"."customer_subscription" ("provider_subscription_id") where "provider_subscription_id" is not null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "billing"."customer_subscription_provider_subscription_id_unique";`);
    this.addSql(`drop sequence if exists "billing"."invoice_number_seq";`);
    this.addSql(`delete from "billing"."plan" where "code" = 'PARTNER';`);
    this.addSql(`alter table "billing"."plan" drop column "listed";`);
  }
}
