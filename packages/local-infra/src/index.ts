export { freePort } from './freePort.js';
export { startEmbeddedPostgres } from './embeddedPostgres.js';
export type { EmbeddedPostgres, EmbeddedPostgresOptions } from './embeddedPostgres.js';
export { startRedisServer, ensureRedisServerBinary } from './redisServer.js';
export type { RedisServer } from './redisServer.js';
export { createDatabase, dropDatabase, databaseUrl } from './databases.js';
export { startDevIssuer, resolvePlaceholders } from './devIssuer.js';
export type { DevIssuer, DevIssuerOptions } from './devIssuer.js';
