export { createGateway } from './createGateway.js';
export type { Gateway, GatewayOptions } from './createGateway.js';
export { readGatewayConfig } from './config.js';
