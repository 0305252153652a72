export { ConfigError, loadConfig, env, isProduction } from './env.js';
export type { EnvSpec, ConfigOf } from './env.js';
