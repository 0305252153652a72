import type { Identity } from '@supergraph/auth';
import type { Logger } from '@supergraph/logger';

export interface GatewayContext {
  readonly requestId: string;
  /** The verified caller; undefined for anonymous requests. */
  readonly identity: Identity | undefined;
  readonly logger: Logger;
  /** The caller's `Authorization` header, forwarded to subgraphs (which verify it again). */
  readonly authorization: string | undefined;
  /** Who the edge charged for this request (rate limits), e.g. `sub:<subject>` or `ip:<address>`. */
  readonly rateLimitKey?: string | undefined;
}
