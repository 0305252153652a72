export { REPO_ROOT, startStack, SUBGRAPH_NAMES } from './startStack.js';
export type { Stack, StackOptions, SubgraphName } from './startStack.js';
export { seedDemoData, passwordToken, DEMO_SEARCH_WORD } from './demoSeed.js';
