import { runSubgraph } from '@supergraph/subgraph-kit';
import { moderationSubgraphWith } from './server.js';

await runSubgraph(moderationSubgraphWith());
