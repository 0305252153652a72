/**
 * Command-line front of the deployment checks (scripts/deploy-check.sh runs it):
 *
 *   tsx deploy/src/check.ts --compose docker-compose.yml --manifests rendered-a.yaml rendered-b.yaml
 *
 * Prints every problem and exits 1 when there is one.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkCompose, parseCompose } from './compose.js';
import { checkManifests, parseManifests } from './manifests.js';

const { values, positionals } = parseArgs({
  options: { compose: { type: 'string' }, manifests: { type: 'boolean', default: false } },
  allowPositionals: true,
  strict: true,
});

const problems: string[] = [];
if (values.compose) {
  const file = path.resolve(values.compose);
  const found = checkCompose(parseCompose(readFileSync(file, 'utf8')), path.dirname(file));
  problems.push(...found.map((problem) => `${values.compose}: ${problem}`));
  console.log(`${values.compose}: ${found.length === 0 ? 'ok' : `${found.length} problem(s)`}`);
}
if (values.manifests) {
  for (const file of positionals) {
    const objects = parseManifests(readFileSync(file, 'utf8'));
    const found = checkManifests(objects);
    problems.push(...found.map((problem) => `${file}: ${problem}`));
    console.log(`${file}: ${objects.length} objects, ${found.length === 0 ? 'ok' : `${found.length} problem(s)`}`);
  }
}
for (const problem of problems) console.error(`  ✗ ${problem}`);
process.exitCode = problems.length === 0 ? 0 : 1;
