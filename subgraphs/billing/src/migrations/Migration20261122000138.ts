import { Migration } from '@mikro-orm/migrations';

export class Migration20261122000138 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create schema if not exists "billing";`);
    this.addSql(
      `create table "billing"."customer_subscription" ("id" uuid not null, "user_id" uuid not null, "plan_code" text not null, "status" text not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "customer_subscription_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "billing"."customer_subscription" add constraint "customer_subscription_user_id_unique" unique ("user_id");`,
    );

    this.addSql(
      `create table "billing"."outbox_event" ("id" uuid not null, "stream" text not null, "type" text not null, "aggregate_id" text not null, "payload" jsonb not null, "created_at" timestamptz not null, "published_at" timestamptz null, constraint "outbox_event_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "outbox_event_unpublished_idx" on "billing"."outbox_event" ("id") where "published_at" is null;`,
    );

    this.addSql(
      `create table "billing"."plan" ("code" text not null, "name" text not null, "price_minor" int not null, "currency" text not null, constraint "plan_pkey" primary key ("code"));`,
    );

    this.addSql(
      `create table "billing"."processed_event" ("consumer" text not null, "event_id" uuid not null, "processed_at" timestamptz not null, constraint "processed_event_pkey" primary key ("consumer", "event_id"));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "billing"."customer_subscription" cascade;`);

    this.addSql(`drop table if exists "billing"."outbox_event" cascade;`);

    this.addSql(`drop table if exists "billing"."plan" cascade;`);

    this.addSql(`drop table if exists "billing"."processed_event" cascade;`);

    this.addSql(`drop schema if exists "billing";`);
  }
}
