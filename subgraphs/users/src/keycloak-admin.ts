import KcAdminClient from '@keycloak/keycloak-admin-client';
import type { IdentityProviderAdmin } from './identity-admin.js';

export interface KeycloakAdminOptions {
  /** Keycloak base URL, e.g. `https://sso.example.com` (not the realm URL). */
  readonly baseUrl: string;
  readonly realm: string;
  /** Confidential client with the realm-management roles `manage-users` and `view-users`. */
  readonly clientId: string;
  readonly clientSecret: string;
}

/** Keycloak's admin REST API through `@keycloak/keycloak-admin-client` (client credentials). */
export class KeycloakIdentityAdmin implements IdentityProviderAdmin {
  constructor(private readonly options: KeycloakAdminOptions) {}

  private async client(): Promise<KcAdminClient> {
    const client = new KcAdminClient({ baseUrl: this.options.baseUrl, realmName: this.options.realm });
    // Admin actions are rare; a fresh service-account token each time avoids tracking its expiry.
    await client.auth({
      grantType: 'client_credentials',
      clientId: this.options.clientId,
      clientSecret: this.options.clientSecret,
    });
    return client;
  }

  async setEnabled(subject: string, enabled: boolean): Promise<void> {
    const client = await this.client();
    await client.users.update({ id: subject }, { enabled });
    if (!enabled) await client.users.logout({ id: subject });
  }
}

/** Splits a realm URL (`…/realms/<name>`) into the admin client's base URL and realm. */
export function keycloakFromIssuer(issuer: string): { baseUrl: string; realm: string } {
  const match = /^(.*)\/realms\/([^/]+)\/?$/.exec(issuer);
  if (!match) throw new Error(`not a Keycloak realm URL: ${issuer}`);
  return { baseUrl: match[1]!, realm: decodeURIComponent(match[2]!) };
}
