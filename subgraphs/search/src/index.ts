import { runSubgraph } from '@supergraph/subgraph-kit';
import { searchSubgraph } from './server.js';

await runSubgraph(searchSubgraph);
