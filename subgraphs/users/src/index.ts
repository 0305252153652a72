import { env, loadConfig } from '@supergraph/config';
import { runSubgraph } from '@supergraph/subgraph-kit';
import { KeycloakIdentityAdmin, keycloakFromIssuer, usersSubgraph } from './server.js';

// Account administration needs Keycloak's admin API: the issuer plus a confidential admin client.
const config = loadConfig({
  OIDC_ISSUER: env.optional(env.url()),
  KEYCLOAK_ADMIN_CLIENT_ID: env.string({ default: 'supergraph-admin' }),
  KEYCLOAK_ADMIN_CLIENT_SECRET: env.optional(env.string()),
  ACCESS_TOKEN_MAX_LIFETIME_SECONDS: env.int({ default: 360, min: 1 }),
});
const identityAdmin =
  config.OIDC_ISSUER && config.KEYCLOAK_ADMIN_CLIENT_SECRET
    ? new KeycloakIdentityAdmin({
        ...keycloakFromIssuer(config.OIDC_ISSUER),
        clientId: config.KEYCLOAK_ADMIN_CLIENT_ID,
        clientSecret: config.KEYCLOAK_ADMIN_CLIENT_SECRET,
      })
    : undefined;

await runSubgraph(({ denylist }) =>
  usersSubgraph({ identityAdmin, denylist, tokenLifetimeSeconds: config.ACCESS_TOKEN_MAX_LIFETIME_SECONDS }),
);
