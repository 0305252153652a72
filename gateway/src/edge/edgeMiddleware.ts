import type { NextFunction, Request, Response } from 'express';
import { cors, type CorsOptions } from './cors.js';
import { csrfPrevention } from './csrf.js';
import type { Drain } from './drain.js';
import { fixRequestId } from './requestId.js';
import { securityHeaders, type SecurityHeadersOptions } from './securityHeaders.js';

/**
 * The synchronous edge steps as two Express layers instead of one per concept: each layer Express
 * walks costs about as much as the work of a small step, and these run on every request.
 */
export function edgeResponseHeaders(drain: Drain, options: SecurityHeadersOptions = {}) {
  const secure = securityHeaders(options);
  // Every answer, health and metrics included.
  return (req: Request, res: Response, next: NextFunction): void => {
    drain.mark(res);
    fixRequestId(req, res);
    secure(res);
    next();
  };
}

/** CORS (preflights end here) then CSRF prevention, on the GraphQL route. */
export function edgeGate(corsOptions: CorsOptions) {
  const applyCors = cors(corsOptions);
  const refuseCsrf = csrfPrevention();
  return (req: Request, res: Response, next: NextFunction): void => {
    if (applyCors(req, res) || refuseCsrf(req, res)) return;
    next();
  };
}
