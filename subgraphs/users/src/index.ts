import { runSubgraph } from '@supergraph/subgraph-kit';
import { usersSubgraph } from './server.js';

await runSubgraph(usersSubgraph);
