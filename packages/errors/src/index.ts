export { ERROR_CODES, errorCodesMarkdown } from './codes.js';
export type { ErrorCode, ErrorCodeInfo } from './codes.js';
export { AppError } from './AppError.js';
export type { FieldProblem } from './AppError.js';
export { isClientSafe, maskError } from './maskError.js';
