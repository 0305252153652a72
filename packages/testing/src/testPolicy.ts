import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@supergraph/logger';
import { PolicyEngine } from '@supergraph/policy';

export const COMMITTED_BUNDLE = fileURLToPath(new URL('../../../policies/bundles/supergraph.tar.gz', import.meta.url));
export const DEV_PUBLIC_KEY = fileURLToPath(
  new URL('../../../policies/keys/dev-bundle-signing.pub.pem', import.meta.url),
);
export const DEV_SIGNING_KEY = fileURLToPath(
  new URL('../../../policies/keys/dev-bundle-signing.key.pem', import.meta.url),
);

/** A policy engine on the committed, dev-signed bundle (its signature verified like in production). */
export async function committedPolicyEngine(logger: Logger): Promise<PolicyEngine> {
  const engine = new PolicyEngine({ logger, signature: { publicKeyPem: readFileSync(DEV_PUBLIC_KEY, 'utf8') } });
  await engine.loadBundle(readFileSync(COMMITTED_BUNDLE));
  return engine;
}
