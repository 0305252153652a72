import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { identityFromClaims, type Identity } from './identity.js';

export interface TokenVerifierOptions {
  /** Realm URL, e.g. `https://sso.example.com/realms/supergraph`; must equal the tokens' `iss`. */
  readonly issuer: string;
  /** Required audience (`aud` must contain it). Default `supergraph-api`. */
  readonly audience?: string;
  /** Accepted signature algorithms; `none` and HMAC are never accepted. Default RS256, PS256, ES256. */
  readonly algorithms?: readonly string[];
  /** Clock skew tolerated on `exp`/`nbf`/`iat`, in seconds. Default 5. */
  readonly clockToleranceSeconds?: number;
  /** Minimum time between JWKS refetches for unknown key ids, in ms (rotation). Default 30,000. */
  readonly jwksCooldownMs?: number;
  /** How long fetched keys are trusted before refetching, in ms. Default 600,000. */
  readonly jwksMaxAgeMs?: number;
  /**
   * Verified tokens remembered (until they expire) so that a client's repeated requests skip the
   * signature check. 0 turns it off. Default 10,000. Revocation does not depend on it: the denylist
   * is consulted on every request.
   */
  readonly cacheSize?: number;
}

/** Why a token was refused; the message goes to `WWW-Authenticate` and the GraphQL error. */
export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

export interface TokenVerifier {
  /** Verifies signature, issuer, audience, algorithm and lifetime; returns who the token speaks for. */
  verify(token: string): Promise<Identity>;
  readonly issuer: string;
}

const SAFE_ALGORITHMS = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
]);

/**
 * JWT verification with `jose` against the issuer's JWKS, discovered from
 * `<issuer>/.well-known/openid-configuration` on first use and cached; keys are refetched when a token
 * names an unknown `kid` (rotation), at most once per cooldown.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const issuer = options.issuer.replace(/\/$/, '');
  const algorithms = [...(options.algorithms ?? ['RS256', 'PS256', 'ES256'])];
  const unsafe = algorithms.filter((alg) => !SAFE_ALGORITHMS.has(alg));
  if (unsafe.length > 0) throw new Error(`refusing unsafe JWT algorithms: ${unsafe.join(', ')}`);
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const cacheSize = options.cacheSize ?? 10_000;
  const clockTolerance = options.clockToleranceSeconds ?? 5;
  // Insertion-ordered Map as an LRU: a hit is moved to the end, the oldest entry is evicted first.
  const verified = new Map<string, Identity>();

  const discover = async (): Promise<JWTVerifyGetKey> => {
    const response = await fetch(`${issuer}/.well-known/openid-configuration`);
    if (!response.ok) throw new Error(`OIDC discovery at ${issuer} answered ${response.status}`);
    const metadata = (await response.json()) as { issuer?: string; jwks_uri?: string };
    if (metadata.issuer !== issuer)
      throw new Error(`OIDC discovery names issuer ${metadata.issuer}, expected ${issuer}`);
    if (!metadata.jwks_uri) throw new Error(`OIDC discovery at ${issuer} has no jwks_uri`);
    return createRemoteJWKSet(new URL(metadata.jwks_uri), {
      cooldownDuration: options.jwksCooldownMs ?? 30_000,
      cacheMaxAge: options.jwksMaxAgeMs ?? 600_000,
    });
  };

  return {
    issuer,
    async verify(token) {
      const cached = verified.get(token);
      if (cached) {
        if (cached.expiresAt + clockTolerance > Date.now() / 1000) {
          verified.delete(token);
          verified.set(token, cached);
          return cached;
        }
        verified.delete(token);
      }
      if (!keys) {
        keys = discover();
        keys.catch(() => (keys = undefined)); // retry discovery on the next request
      }
      const getKey = await keys;
      try {
        const { payload } = await jwtVerify(token, getKey, {
          issuer,
          audience: options.audience ?? 'supergraph-api',
          algorithms,
          clockTolerance,
          requiredClaims: ['exp', 'sub'],
        });
        const identity = identityFromClaims(payload);
        if (cacheSize > 0) {
          if (verified.size >= cacheSize) verified.delete(verified.keys().next().value!);
          verified.set(token, identity);
        }
        return identity;
      } catch (error) {
        throw new InvalidTokenError(describe(error));
      }
    },
  };
}

function describe(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'token expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `token ${error.claim} claim invalid`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'token signature invalid';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'token algorithm not allowed';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'token signed by an unknown key';
  if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JWTInvalid) return 'token malformed';
  return 'token invalid';
}
