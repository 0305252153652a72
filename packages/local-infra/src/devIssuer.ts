import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

/**
 * A development token issuer for the embedded default: the users and clients of the Keycloak realm
 * file, at Keycloak's URLs (`/realms/<realm>/.well-known/openid-configuration`,
 * `/protocol/openid-connect/certs`, `/protocol/openid-connect/token` with the password and
 * client-credentials grants), signing RS256 access tokens shaped like Keycloak's. It refuses to run
 * with `NODE_ENV=production`; real deployments point `OIDC_ISSUER` at Keycloak.
 */
export interface DevIssuer {
  /** e.g. `http://127.0.0.1:8080/realms/supergraph`. */
  readonly issuer: string;
  readonly tokenUrl: string;
  /** Subject (`sub`) of a realm user or service account. */
  subjectOf(username: string): string;
  /** Enables or disables a user (disabled users cannot log in), like the Keycloak admin API. */
  setEnabled(subject: string, enabled: boolean): void;
  /** Signs a token for a user without a password (tests), with optional claim overrides. */
  mintToken(username: string, clientId?: string, overrides?: Record<string, unknown>): Promise<string>;
  stop(): Promise<void>;
}

export interface DevIssuerOptions {
  /** Keycloak realm export (`keycloak/realms/supergraph.json`). */
  readonly realmFile: string;
  /** Default: a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Values for the realm file's `${VAR:default}` placeholders. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Override of the realm's access-token lifespan, in seconds. */
  readonly accessTokenLifespan?: number;
}

interface RealmUser {
  username: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  enabled?: boolean;
  realmRoles?: string[];
  serviceAccountClientId?: string;
  credentials?: { type: string; value: string }[];
}

interface RealmClient {
  clientId: string;
  publicClient?: boolean;
  secret?: string;
  serviceAccountsEnabled?: boolean;
  directAccessGrantsEnabled?: boolean;
  defaultClientScopes?: string[];
  webOrigins?: string[];
}

interface RealmScope {
  name: string;
  attributes?: Record<string, string>;
  protocolMappers?: { protocolMapper: string; config?: Record<string, string> }[];
}

interface Realm {
  realm: string;
  accessTokenLifespan?: number;
  users?: RealmUser[];
  clients?: RealmClient[];
  clientScopes?: RealmScope[];
  roles?: { realm?: { name: string; composite?: boolean; composites?: { realm?: string[] } }[] };
}

/** Substitutes Keycloak's `${VAR}` / `${VAR:default}` placeholders (not its own `${role_…}` templates). */
export function resolvePlaceholders(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return text.replace(/\$\{([A-Z][A-Z0-9_]*)(?::([^}]*))?\}/g, (match, name: string, fallback: string | undefined) => {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    return fallback ?? match;
  });
}

function stableSubject(realm: string, username: string): string {
  const hex = createHash('sha256').update(`${realm}/${username}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export async function startDevIssuer(options: DevIssuerOptions): Promise<DevIssuer> {
  const env = options.env ?? process.env;
  if (env.NODE_ENV === 'production')
    throw new Error('the development token issuer refuses to run with NODE_ENV=production');
  const realm = JSON.parse(resolvePlaceholders(readFileSync(options.realmFile, 'utf8'), env)) as Realm;
  const lifespan = options.accessTokenLifespan ?? realm.accessTokenLifespan ?? 300;
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = randomUUID();
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const users = new Map(
    (realm.users ?? []).map((user) => [user.username, { ...user, enabled: user.enabled !== false }]),
  );
  const subjects = new Map([...users.keys()].map((username) => [stableSubject(realm.realm, username), username]));
  const clients = new Map((realm.clients ?? []).map((client) => [client.clientId, client]));
  const scopes = new Map((realm.clientScopes ?? []).map((scope) => [scope.name, scope]));
  const composites = new Map((realm.roles?.realm ?? []).map((role) => [role.name, role.composites?.realm ?? []]));
  const audiences = (realm.clientScopes ?? []).flatMap((scope) =>
    (scope.protocolMappers ?? [])
      .filter(
        (mapper) =>
          mapper.protocolMapper === 'oidc-audience-mapper' && mapper.config?.['access.token.claim'] !== 'false',
      )
      .map((mapper) => ({ scope: scope.name, audience: mapper.config?.['included.custom.audience'] ?? '' })),
  );

  const expandRoles = (roles: string[]): string[] => {
    const all = new Set<string>();
    const add = (role: string) => {
      if (all.has(role)) return;
      all.add(role);
      for (const child of composites.get(role) ?? []) add(child);
    };
    roles.forEach(add);
    return [...all];
  };

  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://${options.host ?? '127.0.0.1'}:${port}`;
  const issuer = `${base}/realms/${realm.realm}`;
  const tokenUrl = `${issuer}/protocol/openid-connect/token`;

  const sign = async (user: RealmUser, client: RealmClient, overrides: Record<string, unknown> = {}) => {
    const clientScopes = client.defaultClientScopes ?? [];
    const tokenScopes = clientScopes.filter(
      (name) => scopes.get(name)?.attributes?.['include.in.token.scope'] === 'true',
    );
    const aud = [
      ...new Set(
        audiences
          .filter((entry) => clientScopes.includes(entry.scope) && entry.audience)
          .map((entry) => entry.audience),
      ),
    ];
    const service = user.serviceAccountClientId !== undefined;
    const now = Math.floor(Date.now() / 1000);
    const names = [user.firstName, user.lastName].filter(Boolean).join(' ');
    const claims: Record<string, unknown> = {
      exp: now + lifespan,
      iat: now,
      jti: randomUUID(),
      iss: issuer,
      aud: aud.length === 1 ? aud[0] : aud,
      sub: stableSubject(realm.realm, user.username),
      typ: 'Bearer',
      azp: client.clientId,
      realm_access: { roles: expandRoles(user.realmRoles ?? []) },
      scope: tokenScopes.join(' '),
      preferred_username: user.username,
      email_verified: !service,
      ...(service ? { client_id: client.clientId } : {}),
      ...(user.email ? { email: user.email } : {}),
      ...(names ? { name: names, given_name: user.firstName, family_name: user.lastName } : {}),
      ...overrides,
    };
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(privateKey);
  };

  const grant = async (form: URLSearchParams, authorization: string | undefined) => {
    let clientId = form.get('client_id') ?? undefined;
    let secret = form.get('client_secret') ?? undefined;
    if (authorization?.startsWith('Basic ')) {
      const [id, pass] = Buffer.from(authorization.slice(6), 'base64').toString('utf8').split(':');
      clientId = decodeURIComponent(id ?? '');
      secret = decodeURIComponent(pass ?? '');
    }
    const client = clientId ? clients.get(clientId) : undefined;
    if (!client)
      return {
        status: 401,
        body: { error: 'invalid_client', error_description: 'Invalid client or Invalid client credentials' },
      };
    if (!client.publicClient && client.secret !== secret) {
      return {
        status: 401,
        body: { error: 'unauthorized_client', error_description: 'Invalid client or Invalid client credentials' },
      };
    }
    let user: RealmUser | undefined;
    switch (form.get('grant_type')) {
      case 'password': {
        if (!client.directAccessGrantsEnabled)
          return {
            status: 400,
            body: { error: 'unauthorized_client', error_description: 'Client not allowed for direct access grants' },
          };
        user = users.get(form.get('username') ?? '');
        const password = user?.credentials?.find((c) => c.type === 'password')?.value;
        if (!user || user.serviceAccountClientId || password === undefined || password !== form.get('password')) {
          return { status: 401, body: { error: 'invalid_grant', error_description: 'Invalid user credentials' } };
        }
        break;
      }
      case 'client_credentials':
        if (client.publicClient || !client.serviceAccountsEnabled) {
          return {
            status: 401,
            body: { error: 'unauthorized_client', error_description: 'Client not enabled to retrieve service account' },
          };
        }
        user = [...users.values()].find((candidate) => candidate.serviceAccountClientId === client.clientId);
        if (!user) return { status: 400, body: { error: 'invalid_grant', error_description: 'No service account' } };
        break;
      default:
        return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Unsupported grant_type' } };
    }
    if (user.enabled === false)
      return { status: 400, body: { error: 'invalid_grant', error_description: 'Account disabled' } };
    const accessToken = await sign(user, client);
    const scope = (client.defaultClientScopes ?? []).filter(
      (name) => scopes.get(name)?.attributes?.['include.in.token.scope'] === 'true',
    );
    return {
      status: 200,
      body: {
        access_token: accessToken,
        expires_in: lifespan,
        token_type: 'Bearer',
        'not-before-policy': 0,
        scope: scope.join(' '),
      },
    };
  };

  server.on('request', (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    const path = new URL(req.url ?? '/', base).pathname;
    if (req.method === 'GET' && path === `/realms/${realm.realm}/.well-known/openid-configuration`) {
      return send(200, {
        issuer,
        jwks_uri: `${issuer}/protocol/openid-connect/certs`,
        token_endpoint: tokenUrl,
        grant_types_supported: ['password', 'client_credentials'],
        response_types_supported: ['token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      });
    }
    if (req.method === 'GET' && path === `/realms/${realm.realm}/protocol/openid-connect/certs`)
      return send(200, { keys: [jwk] });
    if (req.method === 'POST' && path === `/realms/${realm.realm}/protocol/openid-connect/token`) {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
        if (body.length > 16_384) req.destroy();
      });
      req.on('end', () => {
        grant(new URLSearchParams(body), req.headers.authorization).then(
          (result) => send(result.status, result.body),
          () => send(500, { error: 'server_error' }),
        );
      });
      return;
    }
    send(404, { error: 'not_found' });
  });

  return {
    issuer,
    tokenUrl,
    subjectOf: (username) => stableSubject(realm.realm, username),
    setEnabled(subject, enabled) {
      const username = subjects.get(subject);
      const user = username ? users.get(username) : undefined;
      if (!user) throw new Error(`no user with subject ${subject}`);
      user.enabled = enabled;
    },
    async mintToken(username, clientId = 'supergraph-web', overrides = {}) {
      const user = users.get(username);
      const client = clients.get(clientId);
      if (!user || !client) throw new Error(`unknown user ${username} or client ${clientId}`);
      return sign(user, client, overrides);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
