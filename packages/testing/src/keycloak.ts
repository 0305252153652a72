import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../../scripts/keycloak.sh', import.meta.url));

export interface KeycloakServer {
  /** e.g. `http://127.0.0.1:41247`. */
  readonly url: string;
  /** The realm `supergraph`: `${url}/realms/supergraph`. */
  readonly issuer: string;
  readonly tokenUrl: string;
  /** Seconds from start to a ready realm, as the script measured it. */
  readonly startSeconds: number;
  /** An access token of the master realm's bootstrap admin, for Keycloak's admin REST API. */
  masterAdminToken(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A real Keycloak (`scripts/keycloak.sh`: the pinned distribution from Maven Central, installed once
 * into a cache outside the repo) on a free loopback port with the realm imported, in a state folder
 * of its own. Cold install takes about 30 s, a start 10–20 s.
 */
export async function startKeycloak(): Promise<KeycloakServer> {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'supergraph-keycloak-'));
  const env = { ...process.env, KEYCLOAK_STATE_DIR: stateDir };
  const started = Date.now();
  let stdout: string;
  try {
    ({ stdout } = await run('bash', [SCRIPT, 'start'], { env, maxBuffer: 10_000_000 }));
  } catch (error) {
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
  const values = Object.fromEntries(
    stdout
      .split('\n')
      .map((line) => /^([A-Z_]+)=(.*)$/.exec(line.trim()))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => [match[1], match[2]]),
  ) as Record<string, string>;
  const url = values.KEYCLOAK_URL;
  if (!url) throw new Error(`keycloak.sh start printed no KEYCLOAK_URL:\n${stdout}`);
  const issuer = `${url}/realms/supergraph`;
  return {
    url,
    issuer,
    tokenUrl: `${issuer}/protocol/openid-connect/token`,
    startSeconds: Number(values.KEYCLOAK_START_SECONDS ?? (Date.now() - started) / 1000),
    async masterAdminToken() {
      const response = await fetch(`${url}/realms/master/protocol/openid-connect/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'password',
          client_id: 'admin-cli',
          username: process.env.KC_BOOTSTRAP_ADMIN_USERNAME ?? 'admin',
          password: process.env.KC_BOOTSTRAP_ADMIN_PASSWORD ?? 'admin',
        }),
      });
      const body = (await response.json()) as { access_token?: string };
      if (!body.access_token) throw new Error(`master admin login failed: ${response.status}`);
      return body.access_token;
    },
    async stop() {
      await run('bash', [SCRIPT, 'stop'], { env });
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
