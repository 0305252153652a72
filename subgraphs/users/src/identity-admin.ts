/**
 * Acts on accounts at the identity provider. Production: Keycloak's admin API
 * (`KeycloakIdentityAdmin`); the embedded default: the development issuer.
 */
export interface IdentityProviderAdmin {
  /** Enables or disables the account; disabling also ends its sessions. */
  setEnabled(subject: string, enabled: boolean): Promise<void>;
}
