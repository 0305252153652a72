import { createSubgraphServer, defineSubgraph, loadTypeDefs, type SubgraphDeps } from '@supergraph/subgraph-kit';
import { AuditEntrySchema } from './audit.entity.js';
import { AuthorFlagSchema } from './author-flag.entity.js';
import { ModerationCaseSchema } from './case.entity.js';
import { loadModerationConfig, type ModerationConfig } from './config.js';
import { contentConsumers } from './content-events.js';
import { ContentItemSchema } from './content-item.entity.js';
import { migrations } from './migrations/index.js';
import { caseUpdatedPublisher } from './realtime.js';
import { ContentReportSchema } from './report.entity.js';
import { createResolvers } from './resolvers.js';
import { ModerationRuleSchema } from './rule.entity.js';

/** The moderation subgraph with `config` (default: from the environment, see `config.ts`). */
export function moderationSubgraphWith(config: ModerationConfig = loadModerationConfig()) {
  return defineSubgraph({
    name: 'moderation',
    typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
    resolvers: createResolvers(config) as never,
    entities: [
      ContentItemSchema,
      ModerationRuleSchema,
      ModerationCaseSchema,
      ContentReportSchema,
      AuditEntrySchema,
      AuthorFlagSchema,
    ],
    migrations,
    consumers: [...contentConsumers(config), caseUpdatedPublisher],
  });
}

/** The moderation subgraph server; `src/index.ts` boots it from the environment. */
export const createServer = (deps: SubgraphDeps, config?: ModerationConfig) =>
  createSubgraphServer(moderationSubgraphWith(config), deps);
