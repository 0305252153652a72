/**
 * Partner safelists: `partners/<client id>/operations/*.graphql` → `partners/<client id>/manifest.json`
 * (Apollo's persisted query manifest format; id = SHA-256 of the body).
 *   npm run partners:generate     writes every manifest
 *   npm run partners:check        fails when an operation does not validate against supergraph.graphql
 *                                 (naming the partner and the operation) or a manifest is out of date
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { stripSecurityPurpose } from '@supergraph/gateway';
import {
  Kind,
  parse,
  print,
  validate,
  visit,
  type DefinitionNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';

const root = path.resolve(import.meta.dirname, '..');
const partnersDir = path.join(root, 'partners');
const check = process.argv.includes('--check');
// The API schema clients see; federation-internals, like the gateway, refuses `for: SECURITY` links.
const schema = Supergraph.build(stripSecurityPurpose(readFileSync(path.join(root, 'supergraph.graphql'), 'utf8')))
  .apiSchema()
  .toGraphQLJSSchema();

/** The operation with the fragments it uses (transitively), fragments sorted by name. */
function bodyOf(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): string {
  const used = new Map<string, FragmentDefinitionNode>();
  const collect = (node: DefinitionNode) =>
    visit(node, {
      FragmentSpread(spread) {
        const fragment = fragments.get(spread.name.value);
        if (fragment && !used.has(fragment.name.value)) {
          used.set(fragment.name.value, fragment);
          collect(fragment);
        }
      },
    });
  collect(operation);
  const document: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [operation, ...[...used.values()].sort((a, b) => a.name.value.localeCompare(b.name.value))],
  };
  return print(document);
}

let failures = 0;
for (const client of readdirSync(partnersDir, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort()) {
  const operationsDir = path.join(partnersDir, client, 'operations');
  const operations: { id: string; name: string; type: string; body: string }[] = [];
  for (const file of readdirSync(operationsDir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()) {
    const relative = path.relative(root, path.join(operationsDir, file));
    const document = parse(readFileSync(path.join(operationsDir, file), 'utf8'));
    const fragments = new Map(
      document.definitions
        .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((f) => [f.name.value, f]),
    );
    for (const operation of document.definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    )) {
      const name = operation.name?.value;
      if (!name) {
        console.error(`${client}: an anonymous operation in ${relative}: every partner operation needs a name`);
        failures += 1;
        continue;
      }
      const body = bodyOf(operation, fragments);
      const errors = validate(schema, parse(body));
      for (const error of errors) {
        console.error(
          `${client}: operation ${name} (${relative}) no longer validates against supergraph.graphql: ${error.message}`,
        );
        failures += 1;
      }
      operations.push({ id: createHash('sha256').update(body).digest('hex'), name, type: operation.operation, body });
    }
  }
  operations.sort((a, b) => a.name.localeCompare(b.name));
  const manifest = `${JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations }, null, 2)}\n`;
  const file = path.join(partnersDir, client, 'manifest.json');
  if (check) {
    let committed = '';
    try {
      committed = readFileSync(file, 'utf8');
    } catch {
      // missing counts as out of date
    }
    if (committed !== manifest) {
      console.error(`${client}: ${path.relative(root, file)} is out of date: run \`npm run partners:generate\``);
      failures += 1;
    }
  } else {
    writeFileSync(file, manifest);
    console.log(`${client}: ${operations.length} operation(s) → ${path.relative(root, file)}`);
  }
}
if (failures > 0) process.exit(1);
if (check) console.log('partner operations validate against supergraph.graphql; manifests are up to date');
