export {
  initTracing,
  initTracingFromEnv,
  tracer,
  inSpan,
  activeTraceId,
  injectTraceHeaders,
  recordSqlSpan,
  httpServerSpans,
  tracingEnabled,
} from './tracing.js';
export type { Tracing, TracingOptions } from './tracing.js';
export { createMetrics, operationLabel } from './metrics.js';
export type { ServiceMetrics } from './metrics.js';
export { requestLogPlugin } from './requestLogPlugin.js';
