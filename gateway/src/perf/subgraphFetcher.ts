import { isIdempotentBody, type Fetcher } from '../edge/resilience.js';
import type { SubgraphHttpClient, SubgraphReply } from './SubgraphHttpClient.js';

/**
 * The subset of a fetch `Response` the data source and the resilience wrapper read, built from a
 * reply without WHATWG Headers/streams (which cost more than the rest of a small subgraph fetch).
 */
class SubgraphResponse {
  readonly ok: boolean;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null };
  readonly body = { cancel: async (): Promise<void> => undefined };

  constructor(
    readonly url: string,
    private readonly reply: SubgraphReply,
  ) {
    this.ok = reply.status >= 200 && reply.status < 300;
    this.statusText = String(reply.status);
    this.headers = {
      get: (name: string) => {
        const lower = name.toLowerCase();
        if (lower === 'content-type') return reply.contentType ?? null;
        if (lower === 'cache-control') return reply.cacheControl ?? null;
        return null;
      },
    };
  }

  get status(): number {
    return this.reply.status;
  }

  async text(): Promise<string> {
    return this.reply.text;
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.reply.text);
  }
}

/** `RequestInit.headers` as the plain object undici takes (the data source passes a plain object). */
function plainHeaders(headers: RequestInit['headers']): Record<string, string> {
  if (!headers) return {};
  if (headers instanceof Headers || Array.isArray(headers))
    return Object.fromEntries(headers as Iterable<[string, string]>);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = String(value);
  return out;
}

/**
 * A fetcher for subgraph data sources on a `SubgraphHttpClient` (keep-alive pools, in-flight
 * deduplication of identical queries). Honours `init.signal` (the edge's per-attempt timeout).
 */
export function subgraphFetcher(client: SubgraphHttpClient): Fetcher {
  return async (url, init) => {
    const body = typeof init.body === 'string' ? init.body : String(init.body ?? '');
    const reply = await client.post(
      url,
      plainHeaders(init.headers),
      body,
      isIdempotentBody(body),
      init.signal ?? undefined,
    );
    return new SubgraphResponse(url, reply) as unknown as Response;
  };
}
