export { createGateway } from './createGateway.js';
export type { Gateway, GatewayOptions } from './createGateway.js';
export { readGatewayConfig } from './config.js';
export { edgeFromConfig } from './edge/fromConfig.js';
export { RedisKeyValueCache, SafelistRegistry, parseManifest, operationId } from './persisted/index.js';
export type { PersistedQueryManifest, PersistedOperation } from './persisted/index.js';
export { stripSecurityPurpose } from './security.js';
