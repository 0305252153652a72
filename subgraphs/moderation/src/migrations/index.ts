import type { MigrationEntry } from '@supergraph/subgraph-kit';
import { Migration20261122000136 } from './Migration20261122000136.js';
import { Migration20261122021724 } from './Migration20261122021724.js';

/** Committed migrations, oldest first (`npm run migration:create -- moderation` appends). */
export const migrations: MigrationEntry[] = [
  { name: 'Migration20261122000136', class: Migration20261122000136 },
  { name: 'Migration20261122021724', class: Migration20261122021724 },
];
