export { SafelistRegistry } from './SafelistRegistry.js';
export { persistedQueryMiddleware, operationId, safelistDecider } from './persistedQueries.js';
export type { PersistedQueryStats, SafelistDecider, SafelistDecision } from './persistedQueries.js';
export { parseManifest } from './manifest.js';
export type { PersistedQueryManifest, PersistedOperation } from './manifest.js';
export { RedisKeyValueCache } from './RedisKeyValueCache.js';
