import { createHash } from 'node:crypto';
import type { Identity } from '@supergraph/auth';
import type { Logger } from '@supergraph/logger';
import type { SafelistRegistry } from './SafelistRegistry.js';

export interface GraphQLBody {
  query?: unknown;
  operationName?: unknown;
  documentId?: unknown;
  extensions?: { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } & Record<string, unknown>;
  variables?: unknown;
}

interface MinimalRequest {
  method: string;
  body?: unknown;
  url: string;
  readonly query: Record<string, unknown>;
}

interface MinimalResponse {
  locals: Record<string, unknown>;
  status(code: number): { json(body: unknown): unknown };
}

export interface PersistedQueryStats {
  /** Requests per client id and operation id (`<client>|<operation id or "freeform">`). */
  readonly byOperation: Map<string, { count: number; refused: number }>;
}

/** Folder of the first-party safelist (not a Keycloak client id: those cannot start with `_`). */
export const FIRST_PARTY = '_first-party';

function refuse(res: MinimalResponse, status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

function persistedId(body: GraphQLBody): string | undefined {
  const hash = body.extensions?.persistedQuery?.sha256Hash;
  if (typeof hash === 'string') return hash;
  if (typeof body.documentId === 'string') return body.documentId.replace(/^sha256:/, '');
  return undefined;
}

/** GET requests carry `extensions` and `variables` as JSON strings in the query string. */
function bodyOf(req: MinimalRequest): GraphQLBody {
  if (req.method !== 'GET') return (req.body ?? {}) as GraphQLBody;
  const parse = (value: unknown) => {
    if (typeof value !== 'string') return undefined;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return undefined;
    }
  };
  return {
    query: req.query.query,
    operationName: req.query.operationName,
    documentId: req.query.documentId,
    extensions: parse(req.query.extensions) as GraphQLBody['extensions'],
  };
}

/** What a caller bound to a safelist may run: the listed operation, or a refusal. */
export type SafelistDecision =
  | { readonly ok: true; readonly id: string; readonly query: string; readonly operationName: string | undefined }
  | { readonly ok: false; readonly status: 400; readonly code: string; readonly message: string };

/**
 * Partners may only run the operations of their own safelist (Keycloak client id → manifest), by id.
 * Decides as Apollo Router does: a body without an id is PERSISTED_QUERY_ID_REQUIRED, an id with a
 * body CANNOT_SEND_PQ_ID_AND_BODY, an id not in the caller's list PERSISTED_QUERY_NOT_IN_LIST. Returns
 * undefined for first-party callers, who are unaffected (APQ applies) — in `firstPartyMode: 'log'` their
 * operations missing from the first-party list are logged. One decision for HTTP and WebSocket.
 */
export function safelistDecider(
  registry: SafelistRegistry,
  logger: Logger,
  stats: PersistedQueryStats,
  options: { firstPartyMode?: 'off' | 'log' } = {},
) {
  const count = (clientId: string, operation: string, refused: boolean) => {
    const key = `${clientId}|${operation}`;
    const entry = stats.byOperation.get(key) ?? { count: 0, refused: 0 };
    entry.count += 1;
    if (refused) entry.refused += 1;
    stats.byOperation.set(key, entry);
  };
  const refused = (code: string, message: string): SafelistDecision => ({ ok: false, status: 400, code, message });
  return (identity: Identity | undefined, body: GraphQLBody): SafelistDecision | undefined => {
    if (!identity || (!identity.roles.includes('partner') && !registry.operationsOf(identity.clientId))) {
      // Rollout aid for a first-party safelist: log what is not in it yet, refuse nothing.
      if (options.firstPartyMode === 'log' && typeof body.query === 'string') {
        const id = operationId(body.query);
        if (!registry.operationsOf(FIRST_PARTY)?.has(id)) {
          logger.warn(
            { clientId: identity?.clientId ?? null, operationId: id },
            'operation not in the first-party safelist',
          );
        }
      }
      return undefined;
    }
    const id = persistedId(body);
    const hasBody = typeof body.query === 'string' && body.query.length > 0;
    const clientId = identity.clientId;
    if (id === undefined) {
      count(clientId, 'freeform', true);
      logger.warn({ clientId }, 'partner sent a freeform operation');
      return refused('PERSISTED_QUERY_ID_REQUIRED', 'Partners must send the id of a persisted operation');
    }
    if (hasBody) {
      count(clientId, id, true);
      return refused('CANNOT_SEND_PQ_ID_AND_BODY', 'Send either a persisted operation id or a body, not both');
    }
    const operation = registry.operationsOf(clientId)?.get(id);
    if (!operation) {
      count(clientId, id, true);
      logger.warn({ clientId, operationId: id }, 'partner operation not in its safelist');
      return refused('PERSISTED_QUERY_NOT_IN_LIST', 'This operation is not in your list of persisted operations');
    }
    count(clientId, id, false);
    return { ok: true, id, query: operation.body, operationName: operation.name };
  };
}

export type SafelistDecider = ReturnType<typeof safelistDecider>;

/**
 * HTTP: a partner's known id becomes the listed body before the request reaches Apollo Server (so
 * partners never take part in APQ registration); refusals are answered with HTTP 400.
 */
export function persistedQueryMiddleware(decide: SafelistDecider) {
  return (req: MinimalRequest, res: MinimalResponse, next: () => void): void => {
    const body = bodyOf(req);
    const decision = decide(res.locals.identity as Identity | undefined, body);
    if (!decision) return next();
    if (!decision.ok) return refuse(res, decision.status, decision.code, decision.message);
    res.locals.persistedOperationId = decision.id;
    const rewritten: Record<string, unknown> = { query: decision.query, operationName: decision.operationName };
    const variables = req.method === 'GET' ? req.query.variables : body.variables;
    if (variables !== undefined) rewritten.variables = variables;
    if (req.method === 'GET') {
      // Apollo Server reads GET parameters from the URL itself.
      const params = new URLSearchParams({ query: decision.query });
      if (decision.operationName) params.set('operationName', decision.operationName);
      if (typeof variables === 'string') params.set('variables', variables);
      req.url = `${req.url.split('?')[0]}?${params.toString()}`;
    } else {
      const { extensions, ...rest } = body;
      const { persistedQuery: _persistedQuery, ...otherExtensions } = extensions ?? {};
      req.body = {
        ...rest,
        ...rewritten,
        documentId: undefined,
        ...(Object.keys(otherExtensions).length ? { extensions: otherExtensions } : {}),
      };
    }
    next();
  };
}

/** sha256 hex of an operation body: the id of a persisted operation. */
export function operationId(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}
