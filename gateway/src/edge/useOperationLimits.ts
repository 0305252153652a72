import type { NextFunction, Request, Response } from 'express';
import type { OperationLimiter } from './limits.js';
import { sendError } from './httpErrors.js';

/**
 * Structural limits (tokens, depth, aliases, root fields) on the request's document before Apollo
 * Server parses and validates it: validation work grows faster than the document (overlapping
 * aliases), so an oversized document must be refused first. Documents sent by hash only (APQ) were
 * checked here when they were registered.
 */
export function operationLimitsMiddleware(limiter: OperationLimiter) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const params = (req.method === 'GET' ? req.query : req.body) as
      { query?: unknown; operationName?: unknown } | undefined;
    const query = params?.query;
    if (typeof query !== 'string' || query.length === 0) return next();
    const operationName = typeof params?.operationName === 'string' ? params.operationName : undefined;
    const error = limiter.check(query, operationName);
    if (error) return sendError(res, 400, error);
    next();
  };
}
