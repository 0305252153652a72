import { createHash } from 'node:crypto';
import { GraphQLError, parse, print } from 'graphql';
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { authorizeOperation, requirementsFromSdl, type Identity, type Requirements } from '@supergraph/auth';

/**
 * `@apollo/gateway` refuses supergraphs whose `@link`s are `for: SECURITY` (authenticated,
 * requiresScopes, policy). The gateway enforces those itself, so it hands the planner the supergraph
 * without the `for: SECURITY` marks; the directive applications stay and plans are unchanged.
 */
export function stripSecurityPurpose(supergraphSdl: string): string {
  return supergraphSdl.replace(/(@link\(\s*url:\s*"[^"]*"(?:\s*,\s*as:\s*"[^"]*")?)\s*,\s*for:\s*SECURITY/g, '$1');
}

/** The security requirements of the loaded supergraph, swapped whenever the supergraph is. */
export class SupergraphSecurity {
  private current: Requirements = new Map();
  private readonly listeners: ((sdl: string, requirements: Requirements) => void)[] = [];

  get requirements(): Requirements {
    return this.current;
  }

  /** Called with each supergraph the gateway accepted (security marks removed) and its requirements. */
  onCommit(listener: (sdl: string, requirements: Requirements) => void): void {
    this.listeners.push(listener);
  }

  /** Reads the requirements of a raw supergraph and returns the SDL to give the gateway. */
  prepare(rawSupergraphSdl: string): { sdl: string; commit: () => void } {
    const requirements = requirementsFromSdl(parse(rawSupergraphSdl));
    const sdl = stripSecurityPurpose(rawSupergraphSdl);
    return {
      sdl,
      commit: () => {
        this.current = requirements;
        for (const listener of this.listeners) listener(sdl, requirements);
      },
    };
  }
}

interface SecuredContext {
  readonly identity: Identity | undefined;
}

/**
 * Wraps the gateway's executor: before planning, fields the caller may not see are taken out of the
 * operation (Apollo Router's semantics: null plus an UNAUTHORIZED_FIELD_OR_TYPE error at the field's
 * path; nothing executed when every root field is denied). The rewritten operation has its own hash,
 * so cached query plans never leak across permission sets.
 */
export function securedGateway(gateway: GatewayInterface, security: SupergraphSecurity): GatewayInterface {
  const secure =
    (executor: GatewayExecutor): GatewayExecutor =>
    async (requestContext) => {
      const identity = (requestContext.context as unknown as SecuredContext).identity;
      const authorized = authorizeOperation(
        requestContext.schema,
        requestContext.document,
        requestContext.request.operationName,
        security.requirements,
        identity,
      );
      if (!authorized) return executor(requestContext);
      const errors = authorized.denied.map(
        (path) =>
          new GraphQLError('Unauthorized field or type', {
            path: [...path],
            extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' },
          }),
      );
      if (authorized.nothingLeft) return { errors };
      const source = print(authorized.document);
      const result = await executor({
        ...requestContext,
        document: authorized.document,
        source,
        queryHash: createHash('sha256').update(source).digest('hex'),
      });
      authorized.nullDenied(result.data as Record<string, unknown> | null | undefined);
      return { ...result, errors: [...errors, ...(result.errors ?? [])] };
    };
  return {
    async load(options) {
      const { executor } = await gateway.load(options);
      return { executor: executor && secure(executor) };
    },
    onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
    stop: () => gateway.stop(),
  };
}
