import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request id of an incoming request: the caller's `x-request-id` when it is a plain token of at
 * most 128 characters (so ids survive gateway → subgraph hops), otherwise a new UUID. Untrusted
 * values are never echoed into logs.
 */
export function requestIdFrom(header: string | readonly string[] | null | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return typeof value === 'string' && SAFE_REQUEST_ID.test(value) ? value : randomUUID();
}
