import { createHash } from 'node:crypto';
import { importSPKI, jwtVerify } from 'jose';

export class BundleVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BundleVerificationError';
  }
}

export interface SignatureOptions {
  /** SPKI PEM of the bundle signing key. */
  readonly publicKeyPem: string;
  /** Expected key id (JWT `kid` or the `keyid` claim). Default `default`, as `opa build` signs. */
  readonly keyId?: string;
  /** Expected `scope` claim. Default empty. */
  readonly scope?: string;
  /** Accepted signing algorithm. Default RS256. */
  readonly algorithm?: string;
}

interface SignedFile {
  readonly name: string;
  readonly hash: string;
  readonly algorithm: string;
}

const HASHES: Record<string, string> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
const STRUCTURED = new Set(['data.json', '.manifest', 'data.yaml', 'data.yml']);

/** OPA's digest of a JSON document: keys sorted, no whitespace (bundle/hash.go `walk`). */
function structuredDigest(value: unknown, hash: ReturnType<typeof createHash>): void {
  if (Array.isArray(value)) {
    hash.update('[');
    value.forEach((item, index) => {
      if (index > 0) hash.update(',');
      structuredDigest(item, hash);
    });
    hash.update(']');
  } else if (value !== null && typeof value === 'object') {
    hash.update('{');
    Object.keys(value)
      .sort()
      .forEach((key, index) => {
        if (index > 0) hash.update(',');
        hash.update(JSON.stringify(key));
        hash.update(':');
        structuredDigest((value as Record<string, unknown>)[key], hash);
      });
    hash.update('}');
  } else hash.update(JSON.stringify(value));
}

/**
 * Verifies an OPA signed bundle (`/.signatures.json`): exactly one JWT, signed by the configured key,
 * whose `files` list names every other file of the bundle with a matching digest — JSON files hashed
 * over their canonical form, others over their bytes. Any extra, missing or altered file fails.
 */
export async function verifyBundleSignature(
  files: ReadonlyMap<string, Buffer>,
  options: SignatureOptions,
): Promise<void> {
  const raw = files.get('/.signatures.json');
  if (!raw) throw new BundleVerificationError('bundle is not signed (no .signatures.json)');
  let signatures: unknown;
  try {
    signatures = (JSON.parse(raw.toString('utf8')) as { signatures?: unknown }).signatures;
  } catch {
    throw new BundleVerificationError('.signatures.json is not JSON');
  }
  if (!Array.isArray(signatures) || signatures.length !== 1 || typeof signatures[0] !== 'string') {
    throw new BundleVerificationError('.signatures.json must hold exactly one JWT');
  }
  const algorithm = options.algorithm ?? 'RS256';
  const key = await importSPKI(options.publicKeyPem, algorithm);
  let payload: Record<string, unknown>;
  let header: Record<string, unknown>;
  try {
    ({ payload, protectedHeader: header } = await jwtVerify(signatures[0], key, { algorithms: [algorithm] }));
  } catch (error) {
    throw new BundleVerificationError(`bundle signature invalid: ${(error as Error).message}`);
  }
  const keyId = (header.kid as string | undefined) ?? (payload.keyid as string | undefined) ?? '';
  if (keyId !== (options.keyId ?? 'default')) throw new BundleVerificationError(`bundle signed with key id "${keyId}"`);
  if (((payload.scope as string | undefined) ?? '') !== (options.scope ?? ''))
    throw new BundleVerificationError('bundle signature scope mismatch');

  const signed = new Map<string, SignedFile>();
  for (const file of (payload.files as SignedFile[] | undefined) ?? [])
    signed.set(`/${file.name.replace(/^\/+/, '')}`, file);
  for (const [name, content] of files) {
    if (name === '/.signatures.json') continue;
    const entry = signed.get(name);
    if (!entry) throw new BundleVerificationError(`${name} is not covered by the bundle signature`);
    const hashName = HASHES[entry.algorithm];
    if (!hashName) throw new BundleVerificationError(`${name}: unsupported digest ${entry.algorithm}`);
    const hash = createHash(hashName);
    if (STRUCTURED.has(name.split('/').pop()!)) {
      try {
        structuredDigest(JSON.parse(content.toString('utf8')), hash);
      } catch {
        throw new BundleVerificationError(`${name} is not JSON`);
      }
    } else hash.update(content);
    if (hash.digest('hex') !== entry.hash) throw new BundleVerificationError(`${name}: digest mismatch`);
    signed.delete(name);
  }
  if (signed.size > 0)
    throw new BundleVerificationError(`signed files missing from the bundle: ${[...signed.keys()].join(', ')}`);
}
