import { REQUEST_ID_HEADER, requestIdFrom } from '@supergraph/logger';
import type { Request, Response } from 'express';

/**
 * Fixes the request id once at the edge and echoes it: the caller's safe `x-request-id` or a new
 * one, written back into the request (so the GraphQL context and subgraph fetches use the same) and
 * into the answer (so a client that sees a masked error can quote the id the logs carry).
 */
export function fixRequestId(req: Request, res: Response): void {
  const id = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
  req.headers[REQUEST_ID_HEADER] = id;
  res.setHeader(REQUEST_ID_HEADER, id);
}
