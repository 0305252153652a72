export { PolicyEngine } from './PolicyEngine.js';
export type { Decision, LoadedBundle, PolicyEngineOptions, PolicyStats } from './PolicyEngine.js';
export { BundlePoller } from './BundleSource.js';
export type { BundlePollerOptions } from './BundleSource.js';
export { verifyBundleSignature, BundleVerificationError } from './signature.js';
export type { SignatureOptions } from './signature.js';
export { readTarGz } from './tar.js';
export { subjectOf } from './input.js';
export type { PolicyInput } from './input.js';
