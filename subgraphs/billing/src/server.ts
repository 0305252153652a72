import { createSubgraphServer, defineSubgraph, loadTypeDefs, type SubgraphDeps } from '@supergraph/subgraph-kit';
import { CustomerSubscriptionSchema, PlanSchema } from './billing.entity.js';
import { InvoiceSchema } from './invoice.entity.js';
import { migrations } from './migrations/index.js';
import { subscriptionChangedPublisher } from './realtime.js';
import { resolvers } from './resolvers.js';

export const billingSubgraph = defineSubgraph({
  name: 'billing',
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
  entities: [PlanSchema, CustomerSubscriptionSchema, InvoiceSchema],
  migrations,
  consumers: [subscriptionChangedPublisher],
  // Invoices belong to the user they are listed under.
  policyResources: { User: (user: { id: string }) => ({ ownerId: user.id }) },
});

/** The billing subgraph server; `src/index.ts` boots it from the environment. */
export const createServer = (deps: SubgraphDeps) => createSubgraphServer(billingSubgraph, deps);
