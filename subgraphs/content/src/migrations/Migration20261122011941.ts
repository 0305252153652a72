import { Migration } from '@mikro-orm/migrations';

export class Migration20261122011941 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "content"."post" add column "status" text not null default 'VISIBLE', add column "status_changed_at" timestamptz null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "content"."post" drop column "status", drop column "status_changed_at";`);
  }
}
