import { runSubgraph } from '@supergraph/subgraph-kit';
import { contentSubgraph } from './server.js';

await runSubgraph(contentSubgraph);
