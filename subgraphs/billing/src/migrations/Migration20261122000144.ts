import { Migration } from '@mikro-orm/migrations';

/** Reference data: the plans on offer. Prices in minor units. */
export class Migration20261122000144 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`insert into "billing"."plan" ("code", "name", "price_minor", "currency") values
      ('FREE', 'Free', 0, 'USD'),
      ('PRO', 'Pro', 900, 'USD')
      on conflict ("code") do nothing;`);
  }

  override async down(): Promise<void> {
    this.addSql(`delete from "billing"."plan" where "code" in ('FREE', 'PRO');`);
  }
}
