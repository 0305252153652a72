import { Migration } from '@mikro-orm/migrations';

export class Migration20261122021431 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "billing"."billing_customer" ("user_id" uuid not null, "provider_customer_id" text not null, "created_at" timestamptz not null, constraint "billing_customer_pkey" primary key ("user_id"));`,
    );
    this.addSql(
      `alter table "billing"."billing_customer" add constraint "billing_customer_provider_customer_id_unique" unique ("provider_customer_id");`,
    );

    this.addSql(
      `create table "billing"."local_provider_record" ("id" text not null, "kind" text not null, "data" jsonb not null, "created_at" timestamptz not null, constraint "local_provider_record_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "local_provider_record_kind_idx" on "billing"."local_provider_record" ("kind", "created_at");`,
    );

    this.addSql(
      `create table "billing"."webhook_event" ("provider_event_id" text not null, "type" text not null, "provider_created_at" timestamptz not null, "outcome" text not null, "received_at" timestamptz not null, constraint "webhook_event_pkey" primary key ("provider_event_id"));`,
    );

    this.addSql(
      `alter table "billing"."customer_subscription" add column "provider_subscription_id" text null, add column "current_period_start" timestamptz null, add column "current_period_end" timestamptz null, add column "cancel_at_period_end" boolean not null default false, add column "provider_event_at" timestamptz null, add column "changed_at" timestamptz null;`,
    );

    this.addSql(
      `alter table "billing"."invoice" add column "provider_invoice_id" text null, add column "period_start" timestamptz null, add column "period_end" timestamptz null;`,
    );
    this.addSql(
      `alter table "billing"."invoice" add constraint "invoice_provider_invoice_id_unique" unique ("provider_invoice_id");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "billing"."billing_customer" cascade;`);

    this.addSql(`drop table if exists "billing"."local_provider_record" cascade;`);

    this.addSql(`drop table if exists "billing"."webhook_event" cascade;`);

    this.addSql(
      `alter table "billing"."customer_subscription" drop column "provider_subscription_id", drop column "current_period_start", drop column "current_period_end", drop column "cancel_at_period_end", drop column "provider_event_at", drop column "changed_at";`,
    );

    this.addSql(`alter table "billing"."invoice" drop constraint "invoice_provider_invoice_id_unique";`);
    this.addSql(
      `alter table "billing"."invoice" drop column "provider_invoice_id", drop column "period_start", drop column "period_end";`,
    );
  }
}
