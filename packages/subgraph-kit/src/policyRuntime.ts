import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@supergraph/logger';
import { BundlePoller, PolicyEngine } from '@supergraph/policy';

/** The development bundle-signing public key committed with the policies; production refuses it. */
export const DEV_BUNDLE_PUBLIC_KEY_FILE = fileURLToPath(
  new URL('../../../policies/keys/dev-bundle-signing.pub.pem', import.meta.url),
);

export interface PolicyRuntimeOptions {
  readonly logger: Logger;
  /** Bundle location: a file path, `file:` URL or `http(s):` URL of a bundle server. */
  readonly bundle: string;
  /** SPKI PEM of the key bundles must be signed with. */
  readonly publicKeyPem: string;
  readonly keyId?: string;
  readonly minDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly production?: boolean;
}

export interface PolicyRuntime {
  readonly engine: PolicyEngine;
  readonly poller: BundlePoller;
  stop(): void;
}

/**
 * A policy engine kept on the newest signed bundle from `bundle`. With `production`, the committed
 * development key is refused. Resolves after the first load attempt; the engine reports not-ready
 * (and denies everything) until a good bundle arrives.
 */
export async function createPolicyRuntime(options: PolicyRuntimeOptions): Promise<PolicyRuntime> {
  if (
    options.production &&
    normalisePem(options.publicKeyPem) === normalisePem(readFileSync(DEV_BUNDLE_PUBLIC_KEY_FILE, 'utf8'))
  ) {
    throw new Error(
      'the development bundle-signing key is refused in production: set POLICY_PUBLIC_KEY_FILE to the production key',
    );
  }
  const engine = new PolicyEngine({
    logger: options.logger,
    signature: { publicKeyPem: options.publicKeyPem, ...(options.keyId ? { keyId: options.keyId } : {}) },
  });
  const poller = new BundlePoller({
    engine,
    logger: options.logger,
    location: options.bundle,
    ...(options.minDelayMs !== undefined ? { minDelayMs: options.minDelayMs } : {}),
    ...(options.maxDelayMs !== undefined ? { maxDelayMs: options.maxDelayMs } : {}),
  });
  await poller.start();
  return { engine, poller, stop: () => poller.stop() };
}

function normalisePem(pem: string): string {
  return pem.replace(/\s+/g, '');
}
