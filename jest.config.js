/**
 * One jest run over every project, against real PostgreSQL and Redis provisioned once by the global
 * setup (packages/testing). ESM TypeScript is compiled by esbuild; type checking is `npm run typecheck`.
 */
import path from 'node:path';

const root = import.meta.dirname;

const transform = { '^.+\\.ts$': path.join(root, 'packages/testing/src/esbuildTransformer.cjs') };

const projects = [
  'packages/config',
  'packages/errors',
  'packages/auth',
  'packages/policy',
  'packages/events',
  'packages/subgraph-kit',
  'subgraphs/users',
  'subgraphs/content',
  'subgraphs/search',
  'subgraphs/moderation',
  'subgraphs/billing',
  'gateway',
  'e2e',
  'deploy',
];

const projectConfig = (dir) => ({
  displayName: dir.split('/').pop(),
  rootDir: path.join(root, dir),
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  testEnvironment: 'node',
  testEnvironmentOptions: { customExportConditions: ['development', 'node', 'node-addons'] },
  extensionsToTreatAsEsm: ['.ts'],
  transform,
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
});

export default {
  globalSetup: path.join(root, 'packages/testing/src/jestGlobalSetup.js'),
  globalTeardown: path.join(root, 'packages/testing/src/jestGlobalTeardown.js'),
  transform,
  projects: projects.map(projectConfig),
  testTimeout: 30_000,
  maxWorkers: 2,
};
