import type { Identity } from './identity.js';
import { bearerToken, wwwAuthenticate } from './bearer.js';
import type { SubjectDenylist } from './Denylist.js';
import { InvalidTokenError, type TokenVerifier } from './TokenVerifier.js';

export type Authentication =
  | { readonly ok: true; readonly identity: Identity | undefined }
  | { readonly ok: false; readonly status: 401; readonly message: string; readonly wwwAuthenticate: string };

/**
 * Who sent a request: anonymous without an `Authorization` header; refused (401) with a malformed,
 * invalid, expired or revoked token — never a 500. Discovery or JWKS outages are thrown.
 */
export async function authenticate(
  authorization: string | undefined,
  verifier: TokenVerifier | undefined,
  denylist?: SubjectDenylist,
): Promise<Authentication> {
  const token = bearerToken(authorization);
  if (token === undefined) return { ok: true, identity: undefined };
  const refuse = (message: string): Authentication => ({
    ok: false,
    status: 401,
    message,
    wwwAuthenticate: wwwAuthenticate(message),
  });
  if (token === null) return refuse('authorization header is not a bearer token');
  if (!verifier) return refuse('this service accepts no tokens');
  let identity: Identity;
  try {
    identity = await verifier.verify(token);
  } catch (error) {
    if (error instanceof InvalidTokenError) return refuse(error.message);
    throw error;
  }
  if (denylist && (await denylist.has(identity.subject))) return refuse('token revoked');
  return { ok: true, identity };
}

/** The GraphQL-over-HTTP body of a refused token. */
export function unauthenticatedBody(message: string): { errors: { message: string; extensions: { code: string } }[] } {
  return { errors: [{ message: `Unauthenticated: ${message}`, extensions: { code: 'UNAUTHENTICATED' } }] };
}

interface MinimalRequest {
  readonly headers: { readonly authorization?: string | undefined };
}
interface MinimalResponse {
  status(code: number): { json(body: unknown): unknown };
  setHeader(name: string, value: string): unknown;
  locals: Record<string, unknown>;
}

/**
 * Express-style middleware shared by the gateway and every subgraph: puts the caller's identity in
 * `res.locals.identity`, answers 401 + `WWW-Authenticate` for a refused token, 503 when the issuer's
 * keys cannot be fetched.
 */
export function authenticationMiddleware(
  verifier: TokenVerifier | undefined,
  denylist: SubjectDenylist | undefined,
  onUnavailable: (error: unknown) => void,
) {
  return async (req: MinimalRequest, res: MinimalResponse, next: () => void): Promise<void> => {
    let result: Authentication;
    try {
      result = await authenticate(req.headers.authorization, verifier, denylist);
    } catch (error) {
      onUnavailable(error);
      res.status(503).json({
        errors: [{ message: 'Authentication is unavailable', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
      });
      return;
    }
    if (!result.ok) {
      res.setHeader('WWW-Authenticate', result.wwwAuthenticate);
      res.status(401).json(unauthenticatedBody(result.message));
      return;
    }
    res.locals.identity = result.identity;
    next();
  };
}
