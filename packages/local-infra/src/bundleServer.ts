import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface BundleServer {
  /** e.g. `http://127.0.0.1:PORT` — files of `dir` below it. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * A tiny bundle server for local runs and tests, speaking OPA's bundle HTTP protocol: GET a file of
 * `dir` with a strong ETag (SHA-256 of its bytes); `If-None-Match` with the current ETag gets 304.
 * Files are read on each request, so publishing a revision is replacing the file.
 */
export async function startBundleServer(options: { dir: string; port?: number; host?: string }): Promise<BundleServer> {
  const root = path.resolve(options.dir);
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.resolve(root, `.${name}`);
    if (req.method !== 'GET' || !file.startsWith(`${root}${path.sep}`)) {
      res.writeHead(404).end();
      return;
    }
    readFile(file).then(
      (bytes) => {
        const etag = `"${createHash('sha256').update(bytes).digest('hex')}"`;
        if (req.headers['if-none-match'] === etag) {
          res.writeHead(304, { etag }).end();
          return;
        }
        res.writeHead(200, { etag, 'content-type': 'application/gzip', 'content-length': bytes.length }).end(bytes);
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
