import { REQUEST_ID_HEADER } from '@supergraph/logger';
import { Pool } from 'undici';

/** What a subgraph answered: enough for the data source to decode the body and honour cache hints. */
export interface SubgraphReply {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly cacheControl: string | undefined;
  readonly text: string;
}

export interface SubgraphHttpClientOptions {
  /** Keep-alive connections per subgraph origin. Default 128. */
  readonly connections?: number;
  /** Idle time before a pooled connection is closed. Default 30 s; a shorter `Keep-Alive: timeout` a subgraph announces wins. */
  readonly keepAliveTimeoutMs?: number;
  /** Share one upstream request among identical in-flight queries. Default true. */
  readonly dedupe?: boolean;
}

/** Headers that differ per caller without changing the answer (trace context, request id). */
const PER_CALL_HEADERS = new Set(['traceparent', 'tracestate', REQUEST_ID_HEADER]);

/**
 * Every other header is part of a request's identity: the caller's `Authorization` above all, so
 * requests of different callers are never shared.
 */
function headersKey(headers: Record<string, string>): string {
  let key = '';
  for (const name of Object.keys(headers).sort()) {
    const lower = name.toLowerCase();
    if (!PER_CALL_HEADERS.has(lower)) key += `${lower}:${headers[name]}\n`;
  }
  return key;
}

/**
 * HTTP to subgraphs without WHATWG fetch objects: one undici `Pool` of keep-alive connections per
 * origin, and identical queries in flight at the same moment (same URL, body and headers, trace
 * context and request id aside) share one upstream request, as Hive Gateway does by default and
 * Apollo Router with `deduplicate_query`. Each caller gets the body as text and parses its own copy,
 * because the executor merges the parsed objects into its result tree. A shared request carries its
 * first caller's trace context, request id and timeout signal.
 */
export class SubgraphHttpClient {
  private readonly pools = new Map<string, Pool>();
  private readonly inflight = new Map<string, Promise<SubgraphReply>>();
  private readonly connections: number;
  private readonly keepAliveTimeout: number;
  private readonly dedupe: boolean;

  constructor(options: SubgraphHttpClientOptions = {}) {
    this.connections = options.connections ?? 128;
    this.keepAliveTimeout = options.keepAliveTimeoutMs ?? 30_000;
    this.dedupe = options.dedupe ?? true;
  }

  /** POSTs `body`; `shareable` marks a read (never a mutation) that may share an identical in-flight request. */
  post(
    url: string,
    headers: Record<string, string>,
    body: string,
    shareable: boolean,
    signal?: AbortSignal,
  ): Promise<SubgraphReply> {
    if (!this.dedupe || !shareable) return this.send(url, headers, body, signal);
    const key = `${url}\n${headersKey(headers)}\n${body}`;
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const request = this.send(url, headers, body, signal).finally(() => this.inflight.delete(key));
    this.inflight.set(key, request);
    return request;
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.close()));
  }

  private readonly targets = new Map<string, { origin: string; path: string }>();

  /** URLs are parsed once: a gateway talks to a handful of subgraphs. */
  private target(url: string): { origin: string; path: string } {
    let target = this.targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
      this.targets.set(url, target);
    }
    return target;
  }

  private pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: this.connections,
        pipelining: 1,
        keepAliveTimeout: this.keepAliveTimeout,
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  private async send(
    url: string,
    headers: Record<string, string>,
    body: string,
    signal: AbortSignal | undefined,
  ): Promise<SubgraphReply> {
    const target = this.target(url);
    const response = await this.pool(target.origin).request({
      method: 'POST',
      path: target.path,
      headers,
      body,
      ...(signal ? { signal } : {}),
    });
    const text = await response.body.text();
    const contentType = response.headers['content-type'];
    const cacheControl = response.headers['cache-control'];
    return {
      status: response.statusCode,
      contentType: Array.isArray(contentType) ? contentType[0] : contentType,
      cacheControl: Array.isArray(cacheControl) ? cacheControl.join(', ') : cacheControl,
      text,
    };
  }
}
