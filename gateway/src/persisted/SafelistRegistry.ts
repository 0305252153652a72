import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '@supergraph/logger';
import { parseManifest, type PersistedOperation } from './manifest.js';

/**
 * The partners' safelists: `<dir>/<client id>/manifest.json`, one Apollo persisted query manifest per
 * Keycloak client. Re-read every `pollMs`; a manifest that does not parse keeps that client's previous
 * list and is logged. A client whose folder disappears loses its list.
 */
export class SafelistRegistry {
  private lists = new Map<string, ReadonlyMap<string, PersistedOperation>>();
  private digests = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
    private readonly pollMs = 2_000,
  ) {}

  /** The operations of a client, or undefined when it has no safelist. */
  operationsOf(clientId: string): ReadonlyMap<string, PersistedOperation> | undefined {
    return this.lists.get(clientId);
  }

  async start(): Promise<void> {
    await this.reload();
    const tick = () => {
      this.timer = setTimeout(() => void this.reload().finally(tick), this.pollMs);
      this.timer.unref();
    };
    tick();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  async reload(): Promise<void> {
    let clients: string[];
    try {
      clients = (await readdir(this.dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch (error) {
      this.logger.error({ err: error, dir: this.dir }, 'partner manifests unreadable; keeping the current safelists');
      return;
    }
    const next = new Map<string, ReadonlyMap<string, PersistedOperation>>();
    for (const client of clients) {
      const file = path.join(this.dir, client, 'manifest.json');
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        continue; // a folder without a manifest: no safelist
      }
      const digest = createHash('sha256').update(text).digest('hex');
      const current = this.lists.get(client);
      if (current && this.digests.get(client) === digest) {
        next.set(client, current);
        continue;
      }
      try {
        const manifest = parseManifest(text);
        next.set(client, new Map(manifest.operations.map((operation) => [operation.id, operation])));
        this.digests.set(client, digest);
        this.logger.info({ clientId: client, operations: manifest.operations.length }, 'partner safelist loaded');
      } catch (error) {
        this.logger.error(
          { err: error, clientId: client, file },
          'partner manifest malformed; keeping the previous safelist',
        );
        if (current) next.set(client, current);
      }
    }
    this.lists = next;
  }
}
