/**
 * Composes supergraph.yaml (rover's config format) into supergraph.graphql with @apollo/composition.
 *   npm run compose          writes supergraph.graphql
 *   npm run compose:check    fails when the committed file differs from a fresh composition
 * Composition errors are printed one per line with their code and exit non-zero.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import YAML from 'yaml';

interface SupergraphConfig {
  federation_version?: string;
  subgraphs: Record<string, { routing_url: string; schema: { file: string } }>;
}

const root = path.resolve(import.meta.dirname, '..');
const check = process.argv.includes('--check');
const configFile = path.join(root, 'supergraph.yaml');
const outputFile = path.join(root, 'supergraph.graphql');

const config = YAML.parse(readFileSync(configFile, 'utf8')) as SupergraphConfig;
if (!config?.subgraphs || Object.keys(config.subgraphs).length === 0) {
  console.error(`${configFile}: no subgraphs listed`);
  process.exit(1);
}

const services = Object.entries(config.subgraphs).map(([name, subgraph]) => {
  const file = path.resolve(root, subgraph.schema.file);
  try {
    return { name, url: subgraph.routing_url, typeDefs: parse(readFileSync(file, 'utf8')) };
  } catch (error) {
    console.error(`${name}: cannot read ${path.relative(root, file)}: ${(error as Error).message}`);
    process.exit(1);
  }
});

const result = composeServices(services);
if (result.errors) {
  console.error(`Composition failed with ${result.errors.length} error(s):`);
  for (const error of result.errors) {
    const code = (error.extensions?.code as string | undefined) ?? 'ERROR';
    console.error(`  [${code}] ${error.message}`);
  }
  process.exit(1);
}
const sdl = `${result.supergraphSdl.trimEnd()}\n`;

if (check) {
  let committed = '';
  try {
    committed = readFileSync(outputFile, 'utf8');
  } catch {
    // missing counts as drift
  }
  if (committed !== sdl) {
    console.error('supergraph.graphql is out of date: run `npm run compose` and commit the result.');
    process.exit(1);
  }
  console.log('supergraph.graphql matches supergraph.yaml and the subgraph schemas.');
} else {
  writeFileSync(outputFile, sdl);
  console.log(`wrote ${path.relative(root, outputFile)} (${services.length} subgraphs)`);
  for (const hint of result.hints ?? []) console.log(`  hint [${hint.definition.code}] ${hint.message}`);
}
