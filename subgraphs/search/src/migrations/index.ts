import type { MigrationEntry } from '@supergraph/subgraph-kit';
import { Migration20261122000209 } from './Migration20261122000209.js';
import { Migration20261122021653 } from './Migration20261122021653.js';

/** Committed migrations, oldest first (`npm run migration:create -- search` appends). */
export const migrations: MigrationEntry[] = [
  { name: 'Migration20261122000209', class: Migration20261122000209 },
  { name: 'Migration20261122021653', class: Migration20261122021653 },
];
