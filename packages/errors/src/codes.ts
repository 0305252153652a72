/**
 * The one registry of client-facing error codes. Every GraphQL error that leaves a service carries one
 * of these as `extensions.code`; `docs/errors.md` is generated from this table (`npm run errors:docs`)
 * and CI fails when it drifts.
 */
export interface ErrorCodeInfo {
  /** HTTP status the gateway answers with when this error ends the whole request. */
  readonly http: number;
  readonly description: string;
}

export const ERROR_CODES = {
  BAD_USER_INPUT: {
    http: 400,
    description:
      'An argument or input field is invalid. `extensions.field` names it when one field is at fault; `extensions.problems` lists each invalid field.',
  },
  GRAPHQL_PARSE_FAILED: { http: 400, description: 'The document is not valid GraphQL syntax.' },
  GRAPHQL_VALIDATION_FAILED: { http: 400, description: 'The document does not validate against the schema.' },
  PERSISTED_QUERY_NOT_FOUND: {
    http: 200,
    description:
      'Automatic persisted queries: the hash is not registered yet; send the query with the hash to register it.',
  },
  PERSISTED_QUERY_HASH_MISMATCH: {
    http: 400,
    description: 'The sent `sha256Hash` is not the SHA-256 of the sent query.',
  },
  PERSISTED_QUERY_NOT_SUPPORTED: { http: 400, description: 'Persisted queries are not enabled here.' },
  PERSISTED_QUERY_ID_REQUIRED: {
    http: 400,
    description: 'Partners must send the id of an operation in their safelist, not a body.',
  },
  PERSISTED_QUERY_NOT_IN_LIST: {
    http: 400,
    description: "The persisted operation id is not in the caller's safelist.",
  },
  CANNOT_SEND_PQ_ID_AND_BODY: { http: 400, description: 'A request sent both a persisted operation id and a body.' },
  BAD_REQUEST: {
    http: 400,
    description: 'The HTTP request is not a valid GraphQL request (method, headers, body shape).',
  },
  OPERATION_RESOLUTION_FAILURE: {
    http: 400,
    description: 'The document has several operations and `operationName` does not pick one of them.',
  },
  NOT_FOUND: {
    http: 404,
    description: 'The requested object does not exist (for fields whose schema makes absence an error).',
  },
  UNAUTHENTICATED: { http: 401, description: 'The request needs a valid bearer token, or the token sent is invalid.' },
  UNAUTHORIZED_FIELD_OR_TYPE: {
    http: 200,
    description:
      'A field or type needs `@authenticated` or `@requiresScopes` that the caller does not meet; the field is null and the error carries its path (`@` for list items).',
  },
  FORBIDDEN: { http: 403, description: 'The caller is authenticated but not allowed to do this.' },
  CONFLICT: {
    http: 409,
    description: 'The change conflicts with the current state (for example a handle already taken).',
  },
  DOWNSTREAM_SERVICE_ERROR: {
    http: 502,
    description:
      'A subgraph could not be reached or failed; `extensions.serviceName` names it. Other fields of the response still arrive.',
  },
  SUBSCRIPTION_OVERFLOW: {
    http: 200,
    description:
      'A subscription fell more than 1,000 events behind (a slow consumer): it ends with this error. Subscribe again, and refetch what may have been missed.',
  },
  OPERATION_LIMIT_EXCEEDED: {
    http: 400,
    description:
      'The operation exceeds a configured limit (depth, aliases, root fields, tokens or estimated cost); `extensions.limit` names it, `extensions.max` and `extensions.actual` give the numbers.',
  },
  PAYLOAD_TOO_LARGE: { http: 413, description: 'The request body is larger than the configured maximum.' },
  RATE_LIMITED: {
    http: 429,
    description:
      'The caller used up its request budget; retry after `Retry-After` seconds (`RateLimit-*` headers give the budget).',
  },
  SUBGRAPH_UNAVAILABLE: {
    http: 503,
    description:
      'A subgraph is unavailable (timed out or its circuit breaker is open); `extensions.serviceName` names it. Other fields of the response still arrive.',
  },
  PAYMENT_PROVIDER_ERROR: {
    http: 502,
    description: 'The payment provider refused or failed the request; nothing was changed locally. Retry later.',
  },
  INTERNAL_SERVER_ERROR: {
    http: 500,
    description: 'An unexpected failure. Details are in the service log under the request id; none reach the client.',
  },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The error-code reference page, generated from {@link ERROR_CODES}. */
export function errorCodesMarkdown(): string {
  const rows = Object.entries(ERROR_CODES)
    .map(([code, info]) => `| \`${code}\` | ${info.http} | ${info.description} |`)
    .join('\n');
  return [
    '# Error codes',
    '',
    '<!-- Generated from packages/errors/src/codes.ts by `npm run errors:docs`; do not edit. -->',
    '',
    'Every error a client receives has a stable `extensions.code` from this table.',
    '',
    '| code | HTTP | meaning |',
    '|---|---|---|',
    rows,
    '',
  ].join('\n');
}
