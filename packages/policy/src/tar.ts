import { gunzipSync } from 'node:zlib';

/**
 * Reads the files of a gzipped tar (an OPA bundle) into memory. Only regular files are kept; names
 * are normalised to start with `/`, as OPA names bundle files.
 */
export function readTarGz(
  archive: Buffer,
  limits = { maxBytes: 64 * 1024 * 1024, maxFiles: 10_000 },
): Map<string, Buffer> {
  const tar = gunzipSync(archive, { maxOutputLength: limits.maxBytes });
  const files = new Map<string, Buffer>();
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    if (!Number.isFinite(size) || size < 0) throw new Error('bundle archive: corrupt tar header');
    const type = field(156, 1) || '0';
    const prefix = field(345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    const body = tar.subarray(offset + 512, offset + 512 + size);
    if (body.length !== size) throw new Error('bundle archive: truncated');
    if (type === 'L') longName = body.toString('utf8').replace(/\0.*$/s, '');
    else if (type === '0' || type === '\0') {
      files.set(`/${name.replace(/^\.?\/+/, '')}`, Buffer.from(body));
      if (files.size > limits.maxFiles) throw new Error('bundle archive: too many files');
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}
