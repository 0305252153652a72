import { GraphQLError, responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import type { Identity } from '@supergraph/auth';
import { subjectOf, type Decision, type PolicyEngine } from '@supergraph/policy';

/** Policy decisions for one request: `ctx.policy`. */
type Plan = { readonly code: string; readonly status: string } | null;

export interface PolicyGuard {
  /** Loads request-wide subject facts (the caller's plan) once; call before `decide`/`require`. */
  prepare(): Promise<void>;
  /** Decides `entrypoint` for the field being resolved, about `resource` (attributes of the loaded object). */
  decide(
    entrypoint: string,
    info: GraphQLResolveInfo,
    resource?: Record<string, unknown>,
    args?: Record<string, unknown>,
  ): Decision;
  /** Like `decide`, but throws FORBIDDEN when denied: call before changing anything. */
  require(
    entrypoint: string,
    info: GraphQLResolveInfo,
    resource?: Record<string, unknown>,
    args?: Record<string, unknown>,
  ): void;
}

export function forbidden(): GraphQLError {
  return new GraphQLError('Forbidden', { extensions: { code: 'FORBIDDEN' } });
}

export function createPolicyGuard(
  engine: PolicyEngine | undefined,
  identity: Identity | undefined,
  loadPlan?: () => Promise<Plan>,
): PolicyGuard {
  let plan: Plan = null;
  let prepared: Promise<void> | undefined;
  const decide: PolicyGuard['decide'] = (entrypoint, info, resource = {}, args = {}) => {
    const input = {
      subject: subjectOf(identity, plan),
      operation: { type: info.operation.operation, name: info.operation.name?.value ?? null },
      field: { parentType: info.parentType.name, name: info.fieldName, path: responsePathAsArray(info.path) },
      arguments: args,
      resource,
    };
    if (!engine) return { allow: false, reason: 'no policy engine configured', decisionId: '', revision: 'none' };
    return engine.decide(entrypoint, input);
  };
  return {
    prepare() {
      prepared ??= identity && loadPlan ? loadPlan().then((loaded) => void (plan = loaded)) : Promise.resolve();
      return prepared;
    },
    decide,
    require(entrypoint, info, resource, args) {
      if (!decide(entrypoint, info, resource, args).allow) throw forbidden();
    },
  };
}
