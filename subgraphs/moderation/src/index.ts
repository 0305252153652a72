import { runSubgraph } from '@supergraph/subgraph-kit';
import { moderationSubgraph } from './server.js';

await runSubgraph(moderationSubgraph);
