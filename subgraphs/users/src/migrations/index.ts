import type { MigrationEntry } from '@supergraph/subgraph-kit';
import { Migration20261122000047 } from './Migration20261122000047.js';
import { Migration20261122003155 } from './Migration20261122003155.js';
import { Migration20261122021441 } from './Migration20261122021441.js';

/** Committed migrations, oldest first (`npm run migration:create -- users` appends). */
export const migrations: MigrationEntry[] = [
  { name: 'Migration20261122000047', class: Migration20261122000047 },
  { name: 'Migration20261122003155', class: Migration20261122003155 },
  { name: 'Migration20261122021441', class: Migration20261122021441 },
];
