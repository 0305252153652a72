import type { ErrorCode } from '@supergraph/errors';
import { REQUEST_ID_HEADER, requestIdFrom, type Logger } from '@supergraph/logger';
import type { NextFunction, Request, Response } from 'express';
import type { GraphQLError } from 'graphql';

/** A GraphQL-shaped error answer for requests refused before Apollo Server sees them. */
export function sendGraphQLError(
  res: Response,
  status: number,
  code: ErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
): void {
  res.status(status).json({ errors: [{ message, extensions: { code, ...extensions } }] });
}

/** An error's extensions as clients see them: `extensions.http` (the status to answer with) stays internal. */
export function clientExtensions(error: GraphQLError): Record<string, unknown> {
  const { http: _http, ...extensions } = error.extensions;
  return extensions;
}

/** The same for a GraphQLError built elsewhere (limits). */
export function sendError(res: Response, status: number, error: GraphQLError): void {
  res.status(status).json({ errors: [{ message: error.message, extensions: clientExtensions(error) }] });
}

interface BodyParserError extends Error {
  readonly type?: string;
  readonly status?: number;
  readonly limit?: number;
  readonly length?: number;
}

/**
 * Express error handler of the GraphQL route. Body parser errors become GraphQL errors with a code
 * (PAYLOAD_TOO_LARGE 413, BAD_REQUEST 400) instead of Express's HTML page, which carries a stack trace
 * outside production; anything else is masked as INTERNAL_SERVER_ERROR and logged with the request id.
 */
export function edgeErrorHandler(logger: Logger) {
  return (error: BodyParserError, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(error);
    if (error.type === 'entity.too.large') {
      return sendGraphQLError(res, 413, 'PAYLOAD_TOO_LARGE', 'The request body is too large', {
        limit: 'bodySize',
        max: error.limit,
        actual: error.length,
      });
    }
    if (error.status !== undefined && error.status >= 400 && error.status < 500) {
      return sendGraphQLError(res, 400, 'BAD_REQUEST', 'The request body is not valid JSON');
    }
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    logger.error({ err: error, requestId }, 'request failed');
    sendGraphQLError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error', { requestId });
  };
}
