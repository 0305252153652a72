import type { Request, Response } from 'express';
import { sendGraphQLError } from './httpErrors.js';

/** Content types a browser may send cross-origin without a preflight (the CORS "simple" ones). */
const SIMPLE_CONTENT_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

/**
 * Apollo Server's CSRF prevention, applied to the whole GraphQL route (the multipart subscription
 * path answers before Apollo Server): a request must be one a browser would have preflighted, i.e.
 * carry a non-simple `Content-Type` (such as `application/json`) or an `apollo-require-preflight` /
 * `x-apollo-operation-name` header. Otherwise 400 BAD_REQUEST, before anything runs: a cross-site
 * form or `<img>` GET cannot make a logged-in browser execute an operation.
 */
export function csrfPrevention(): (req: Request, res: Response) => boolean {
  /** Returns true when the request was refused here. */
  return (req, res) => {
    if (req.method === 'OPTIONS') return false;
    const contentType = req.headers['content-type'];
    if (contentType !== undefined) {
      const essence = contentType.split(';')[0]!.trim().toLowerCase();
      if (!SIMPLE_CONTENT_TYPES.has(essence)) return false;
    }
    if (req.headers['apollo-require-preflight'] || req.headers['x-apollo-operation-name']) return false;
    sendGraphQLError(
      res,
      400,
      'BAD_REQUEST',
      'This request has been blocked as a potential Cross-Site Request Forgery (CSRF). Send a ' +
        '`Content-Type` other than text/plain, application/x-www-form-urlencoded or multipart/form-data, ' +
        'or a non-empty `apollo-require-preflight` header.',
    );
    return true;
  };
}
