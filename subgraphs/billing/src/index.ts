import { runSubgraph } from '@supergraph/subgraph-kit';
import { createBillingSubgraph } from './server.js';

await runSubgraph(() => createBillingSubgraph());
