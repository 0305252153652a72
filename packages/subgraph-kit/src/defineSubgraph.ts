import { readFileSync } from 'node:fs';
import type { EntitySchema, MigrationObject } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { IncomingHttpHeaders } from 'node:http';
import type { DomainEvent, RealtimeBus } from '@supergraph/events';
import type { Logger } from '@supergraph/logger';
import { parse, type DocumentNode } from 'graphql';
import type { SubgraphContext } from './context.js';

export type MigrationEntry = MigrationObject;

/** What a consumer's handler may use besides its transaction. */
export interface ConsumerContext {
  /** Realtime pub/sub: consumers publish what subscriptions deliver (once committed, from any replica). */
  readonly realtime: RealtimeBus;
  readonly logger: Logger;
}

/** Reacts to other subgraphs' events; runs idempotently, in one transaction per event. */
export interface ConsumerDefinition {
  /** Stream to read, e.g. `content.posts`. */
  readonly stream: string;
  /** Consumer group and idempotency namespace, e.g. `search.index-posts`. */
  readonly name: string;
  readonly handle: (event: DomainEvent, em: EntityManager, context: ConsumerContext) => Promise<void>;
}

/** What an {@link HttpRoute} handler receives: the body exactly as sent (signatures are computed over it). */
export interface HttpRouteRequest {
  readonly rawBody: Buffer;
  readonly headers: IncomingHttpHeaders;
  /** A fork of the entity manager for this request alone. */
  readonly em: EntityManager;
  readonly logger: Logger;
  readonly requestId: string;
}

/** The answer of an {@link HttpRoute}: a status and a JSON body. */
export interface HttpRouteResponse {
  readonly status: number;
  readonly body: unknown;
}

/**
 * An HTTP endpoint a subgraph owns beside `/graphql` (e.g. payment-provider webhooks). The body is
 * never parsed by the kit (up to the server's body limit); no bearer token is checked, so the route
 * authenticates its callers itself. A thrown error answers 500 (logged), so callers that retry do.
 */
export interface HttpRoute {
  readonly method: 'GET' | 'POST';
  /** Path on the subgraph's port, e.g. `/webhooks/payments`. */
  readonly path: string;
  readonly handle: (request: HttpRouteRequest) => Promise<HttpRouteResponse>;
}

/**
 * Everything that makes one subgraph: the kit does the rest (HTTP, health, ORM, batching, events,
 * shutdown). Defining one has no side effects.
 */
export interface SubgraphDefinition {
  /** Subgraph name as in `supergraph.yaml`; also its PostgreSQL schema. */
  readonly name: string;
  readonly typeDefs: DocumentNode;
  readonly resolvers: GraphQLResolverMap<SubgraphContext>;
  /** MikroORM entity schemas owned by this subgraph (the outbox tables are added by the kit). */
  readonly entities: readonly EntitySchema[];
  /** Committed migrations, oldest first. */
  readonly migrations: readonly MigrationEntry[];
  /**
   * Entities this subgraph owns and resolves by `id` for federation: the kit adds a
   * DataLoader-batched `__resolveReference` (one SQL query per request for N references).
   */
  readonly references?: Readonly<Record<string, EntitySchema>>;
  readonly consumers?: readonly ConsumerDefinition[];
  /** For `@policy` fields: the policy input's `resource` from the parent object, per type name. */
  readonly policyResources?: Readonly<Record<string, (parent: never) => Record<string, unknown>>>;
  /** The caller's plan for the policy input's `subject.plan`, from this subgraph's own read model. */
  readonly policyPlan?: (em: EntityManager, subject: string) => Promise<{ code: string; status: string } | null>;
  /** Subgraph-owned HTTP endpoints with raw body access, served on the subgraph's port. */
  readonly httpRoutes?: readonly HttpRoute[];
}

export function defineSubgraph(definition: SubgraphDefinition): SubgraphDefinition {
  return definition;
}

/** Parses a `.graphql` SDL file, e.g. `loadTypeDefs(new URL('../schema.graphql', import.meta.url))`. */
export function loadTypeDefs(file: URL): DocumentNode {
  return parse(readFileSync(file, 'utf8'));
}
