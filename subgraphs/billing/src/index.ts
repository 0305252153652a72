import { runSubgraph } from '@supergraph/subgraph-kit';
import { billingSubgraph } from './server.js';

await runSubgraph(billingSubgraph);
