import { readFile } from 'node:fs/promises';
import type { Logger } from '@supergraph/logger';
import type { PolicyEngine } from './PolicyEngine.js';

export interface BundlePollerOptions {
  readonly engine: PolicyEngine;
  readonly logger: Logger;
  /** `file:` path or `http(s):` URL of a bundle (OPA's bundle HTTP protocol: GET with ETag). */
  readonly location: string;
  /** Polling delay bounds; each wait is uniformly random between them (jitter). Default 10–20 s. */
  readonly minDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Extra request headers (e.g. authorization to the bundle server). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Keeps a policy engine on the newest good bundle. HTTP sources are polled with `If-None-Match`
 * (304 = unchanged); files are re-read and reloaded when their bytes change. A failed download or a
 * bad bundle keeps the last good one, is logged, and counted in `engine.stats.bundlesRejected`.
 */
export class BundlePoller {
  private etag: string | undefined;
  private lastFile: Buffer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** Downloads that failed (network, status); bad bundles count in the engine's stats. */
  downloadFailures = 0;

  constructor(private readonly options: BundlePollerOptions) {}

  /** Loads once (resolves even when that fails: the engine then stays not-ready) and starts polling. */
  async start(): Promise<void> {
    this.running = true;
    await this.poll();
    this.schedule();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (!this.running) return;
    const min = this.options.minDelayMs ?? 10_000;
    const max = Math.max(min, this.options.maxDelayMs ?? 20_000);
    this.timer = setTimeout(() => void this.poll().finally(() => this.schedule()), min + Math.random() * (max - min));
    this.timer.unref();
  }

  /** One check for a new revision; resolves to whether a new bundle was activated. */
  async poll(): Promise<boolean> {
    const { logger, location } = this.options;
    let archive: Buffer;
    try {
      if (location.startsWith('http://') || location.startsWith('https://')) {
        const response = await fetch(location, {
          headers: { ...this.options.headers, ...(this.etag ? { 'if-none-match': this.etag } : {}) },
          signal: AbortSignal.timeout(10_000),
        });
        if (response.status === 304) return false;
        if (!response.ok) throw new Error(`bundle server answered ${response.status}`);
        archive = Buffer.from(await response.arrayBuffer());
        const etag = response.headers.get('etag') ?? undefined;
        try {
          await this.activate(archive);
          this.etag = etag;
          return true;
        } catch {
          // keep the old ETag: the bad bundle is fetched (and refused) again until it is replaced
          return false;
        }
      }
      archive = await readFile(location.startsWith('file:') ? new URL(location) : location);
    } catch (error) {
      this.downloadFailures += 1;
      logger.error({ err: error, location }, 'policy bundle download failed; keeping the current bundle');
      return false;
    }
    if (this.lastFile?.equals(archive)) return false;
    try {
      await this.activate(archive);
      this.lastFile = archive;
      return true;
    } catch {
      return false;
    }
  }

  private async activate(archive: Buffer): Promise<void> {
    const { engine, logger, location } = this.options;
    const previous = engine.revision;
    try {
      const loaded = await engine.loadBundle(archive);
      logger.info({ location, revision: loaded.revision, previous }, 'policy bundle activated');
    } catch (error) {
      logger.error(
        { err: error, location, keeping: previous ?? null },
        'policy bundle rejected; keeping the current bundle',
      );
      throw error;
    }
  }
}
