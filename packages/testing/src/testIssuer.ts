import { fileURLToPath } from 'node:url';
import { startDevIssuer, type DevIssuer } from '@supergraph/local-infra';

/** The realm file every issuer of the tests serves. */
export const REALM_FILE = fileURLToPath(new URL('../../../keycloak/realms/supergraph.json', import.meta.url));

/** A development issuer for the realm on a free port: real RS256 tokens, JWKS over HTTP. */
export function startTestIssuer(options: { accessTokenLifespan?: number } = {}): Promise<DevIssuer> {
  return startDevIssuer({ realmFile: REALM_FILE, env: {}, ...options });
}
