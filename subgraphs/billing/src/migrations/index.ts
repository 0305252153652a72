import type { MigrationEntry } from '@supergraph/subgraph-kit';
import { Migration20261122000138 } from './Migration20261122000138.js';
import { Migration20261122000144 } from './Migration20261122000144.js';
import { Migration20261122005930 } from './Migration20261122005930.js';
import { Migration20261122021431 } from './Migration20261122021431.js';
import { Migration20261122021437 } from './Migration20261122021437.js';

/** Committed migrations, oldest first (`npm run migration:create -- billing` appends). */
export const migrations: MigrationEntry[] = [
  { name: 'Migration20261122000138', class: Migration20261122000138 },
  { name: 'Migration20261122000144', class: Migration20261122000144 },
  { name: 'Migration20261122005930', class: Migration20261122005930 },
  { name: 'Migration20261122021431', class: Migration20261122021431 },
  { name: 'Migration20261122021437', class: Migration20261122021437 },
];
