export { createLogger, REDACTED_PATHS } from './logger.js';
export type { Logger, LoggerOptions } from './logger.js';
export { requestIdFrom, REQUEST_ID_HEADER } from './requestId.js';
