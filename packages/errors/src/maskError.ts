import type { GraphQLFormattedError } from 'graphql';
import { ERROR_CODES } from './codes.js';

/**
 * Apollo Server `formatError`: errors with a registered code pass through; anything else (a bug, a
 * database error, a library's message) is replaced by a generic INTERNAL_SERVER_ERROR so that no SQL,
 * stack or internal detail reaches clients. The original is logged by the caller with the request id.
 */
export function maskError(
  formatted: GraphQLFormattedError,
  onMasked?: (original: GraphQLFormattedError) => void,
): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && code in ERROR_CODES && code !== 'INTERNAL_SERVER_ERROR') {
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  onMasked?.(formatted);
  return {
    message: 'Internal server error',
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}

/** Whether an error carries a registered code other than INTERNAL_SERVER_ERROR (and so reaches clients as is). */
export function isClientSafe(error: { extensions?: Readonly<Record<string, unknown>> | undefined }): boolean {
  const code = error.extensions?.code;
  return typeof code === 'string' && code in ERROR_CODES && code !== 'INTERNAL_SERVER_ERROR';
}
