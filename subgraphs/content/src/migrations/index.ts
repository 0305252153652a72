import type { MigrationEntry } from '@supergraph/subgraph-kit';
import { Migration20261122000119 } from './Migration20261122000119.js';
import { Migration20261122010009 } from './Migration20261122010009.js';
import { Migration20261122011941 } from './Migration20261122011941.js';
import { Migration20261122021408 } from './Migration20261122021408.js';

/** Committed migrations, oldest first (`npm run migration:create -- content` appends). */
export const migrations: MigrationEntry[] = [
  { name: 'Migration20261122000119', class: Migration20261122000119 },
  { name: 'Migration20261122010009', class: Migration20261122010009 },
  { name: 'Migration20261122011941', class: Migration20261122011941 },
  { name: 'Migration20261122021408', class: Migration20261122021408 },
];
