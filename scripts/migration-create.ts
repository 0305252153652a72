/**
 * Generates the next migration of one subgraph from the difference between its entities and the
 * schema its committed migrations produce, on a throw-away embedded PostgreSQL:
 *   npm run migration:create -- <subgraph> [--blank]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '@supergraph/logger';
import { InProcessBus } from '@supergraph/events';
import { createDatabase, startEmbeddedPostgres } from '@supergraph/local-infra';
import type { SubgraphServer } from '@supergraph/subgraph-kit';

const [name, ...flags] = process.argv.slice(2);
if (!name) {
  console.error('usage: npm run migration:create -- <subgraph> [--blank]');
  process.exit(2);
}
const root = path.resolve(import.meta.dirname, '..');
const migrationsDir = path.join(root, 'subgraphs', name, 'src', 'migrations');
const logger = createLogger({ service: 'migration-create', level: 'warn' });
const { createServer } = (await import(`@supergraph/${name}`)) as {
  createServer: (deps: { databaseUrl: string; bus: InProcessBus; logger: typeof logger }) => Promise<SubgraphServer>;
};

const postgres = await startEmbeddedPostgres();
try {
  const databaseUrl = await createDatabase(postgres.url, 'migration_create');
  const server = await createServer({ databaseUrl, bus: new InProcessBus(), logger });
  try {
    await server.migrate();
    const migrator = server.orm.getMigrator();
    (migrator as unknown as { options: { path: string; emit: string } }).options.path = migrationsDir;
    const result = await migrator.createMigration(migrationsDir, flags.includes('--blank'));
    if (!result.fileName) {
      console.log(`${name}: entities and migrations agree; nothing to generate`);
    } else {
      const className = path.basename(result.fileName, '.ts');
      const indexFile = path.join(migrationsDir, 'index.ts');
      const index = readFileSync(indexFile, 'utf8')
        .replace(/((?:^import .*\n)+)/m, `$1import { ${className} } from './${className}.js';\n`)
        .replace(/= \[(.*)\];/s, (_m, list: string) => {
          const entries = list.trim()
            ? `${list.trim().replace(/,$/, '')},\n  { name: '${className}', class: ${className} },`
            : `\n  { name: '${className}', class: ${className} },`;
          return `= [${entries.startsWith('\n') ? entries : `\n  ${entries}`}\n];`;
        });
      writeFileSync(indexFile, index);
      console.log(`${name}: wrote ${path.relative(root, path.join(migrationsDir, result.fileName))}`);
      for (const statement of result.diff.up) console.log(`  ${statement}`);
    }
  } finally {
    await server.stop();
  }
} finally {
  await postgres.stop();
}
