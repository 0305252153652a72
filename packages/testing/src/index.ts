export { testDatabase } from './testDatabase.js';
export type { TestDatabase } from './testDatabase.js';
export { testRedis } from './testRedis.js';
export { testLogger } from './testLogger.js';
export { graphql } from './graphql.js';
export type { GraphQLResponse } from './graphql.js';
export { eventually } from './eventually.js';
export { startTestSubgraph } from './testSubgraph.js';
export type { TestSubgraph } from './testSubgraph.js';
