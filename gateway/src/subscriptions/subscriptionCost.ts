import { Kind, type GraphQLError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { limitExceeded, type CostEstimator } from '../edge/index.js';
import type { Prepared } from './SubscriptionEngine.js';

/** The estimated cost of a subscription's selection (per event), over `cost.options.maxCost` or not. */
export function costError(
  cost: CostEstimator,
  schema: GraphQLSchema,
  prepared: Prepared,
  query: string,
  variables: Record<string, unknown> | null | undefined,
): GraphQLError | undefined {
  const operation = prepared.document.definitions.find(
    (d): d is OperationDefinitionNode =>
      d.kind === Kind.OPERATION_DEFINITION &&
      (prepared.operationName === undefined || d.name?.value === prepared.operationName),
  );
  if (!operation) return undefined;
  const actual = cost.cost(cost.estimate(schema, prepared.document, operation, query), variables ?? undefined);
  return actual > cost.options.maxCost ? limitExceeded('cost', cost.options.maxCost, actual) : undefined;
}
