import type { EntityManager } from '@mikro-orm/postgresql';
import type { Identity } from '@supergraph/auth';
import type { RealtimeBus } from '@supergraph/events';
import type { Logger } from '@supergraph/logger';
import type { Loaders } from './Loaders.js';
import type { PolicyGuard } from './policyGuard.js';

/** The GraphQL context of every subgraph request. */
export interface SubgraphContext {
  /** A fork of the ORM's entity manager for this request alone. */
  readonly em: EntityManager;
  readonly requestId: string;
  /** Logger whose every line carries `requestId`. */
  readonly logger: Logger;
  /** The verified caller; undefined for anonymous requests. */
  readonly identity: Identity | undefined;
  /** Policy decisions (OPA) about this request's caller. */
  readonly policy: PolicyGuard;
  /** Per-request DataLoaders. */
  readonly loaders: Loaders;
  /** Realtime pub/sub: `subscribe` feeds subscription fields (`return()` releases it at once). */
  readonly realtime: RealtimeBus;
}
