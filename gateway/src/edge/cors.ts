import type { Request, Response } from 'express';

export interface CorsOptions {
  /**
   * Origins allowed to call the API from a browser, exactly as browsers send them
   * (`https://app.example.com`). Default none: browsers on other origins cannot read answers.
   */
  readonly allowedOrigins: readonly string[];
  /** How long browsers may cache a preflight answer. Default 600 s. */
  readonly maxAgeSeconds?: number;
}

/** Request headers browsers may send: what Apollo Client, graphql-ws fallbacks and tracing use. */
const ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'apollographql-client-name',
  'apollographql-client-version',
  'x-request-id',
  'traceparent',
  'tracestate',
].join(', ');
const EXPOSED_HEADERS = [
  'x-request-id',
  'retry-after',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'ratelimit-policy',
].join(', ');

/**
 * CORS from an allow-list. Tokens travel in the Authorization header, never in cookies, so
 * credentials are not allowed. A listed origin gets its own name back (never `*`); any other origin
 * gets no CORS headers, so its browser withholds the answer. Preflights end here with 204.
 */
export function cors(options: CorsOptions): (req: Request, res: Response) => boolean {
  const allowed = new Set(options.allowedOrigins);
  const maxAge = String(options.maxAgeSeconds ?? 600);
  const anyAllowed = allowed.size > 0;
  /** Returns true when the request was answered here (a preflight). */
  return (req, res) => {
    // Answers differ by Origin only when some origin is allowed.
    if (anyAllowed) res.setHeader('vary', 'Origin');
    const origin = req.headers.origin;
    const ok = anyAllowed && origin !== undefined && allowed.has(origin);
    if (ok) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
    }
    if (req.method !== 'OPTIONS') return false;
    if (ok) {
      res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
      res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
      res.setHeader('access-control-max-age', maxAge);
    }
    res.status(204).end();
    return true;
  };
}
