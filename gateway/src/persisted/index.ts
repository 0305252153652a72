export { SafelistRegistry } from './SafelistRegistry.js';
export { persistedQueryMiddleware, operationId } from './persistedQueries.js';
export type { PersistedQueryStats } from './persistedQueries.js';
export { parseManifest } from './manifest.js';
export type { PersistedQueryManifest, PersistedOperation } from './manifest.js';
export { RedisKeyValueCache } from './RedisKeyValueCache.js';
