import { context, propagation, trace, SpanKind, SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';

export interface TracingOptions {
  /** `service.name` of the process. */
  readonly serviceName: string;
  /** `otlp` exports over OTLP/HTTP (`OTEL_EXPORTER_OTLP_ENDPOINT` or `otlpEndpoint`); `none` (default) records nothing. */
  readonly exporter?: 'otlp' | 'none';
  readonly otlpEndpoint?: string;
  /** Share of new traces sampled (parent-based: a sampled caller is always followed). Default 1. */
  readonly sampleRatio?: number;
  /** A span exporter of one's own (tests: an in-memory exporter, exported synchronously). */
  readonly spanExporter?: SpanExporter;
}

export interface Tracing {
  readonly enabled: boolean;
  shutdown(): Promise<void>;
}

let active: Tracing | undefined;

/**
 * Sets up OpenTelemetry once per process: W3C `traceparent` propagation, async context, a sampler
 * and an exporter. When off (the default) no provider is registered and every span is the API's
 * no-op span, which costs almost nothing.
 */
export function initTracing(options: TracingOptions): Tracing {
  if (active) return active;
  const exporter =
    options.spanExporter ??
    (options.exporter === 'otlp'
      ? new OTLPTraceExporter(
          options.otlpEndpoint ? { url: `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces` } : {},
        )
      : undefined);
  if (!exporter) {
    active = { enabled: false, shutdown: async () => undefined };
    return active;
  }
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio ?? 1) }),
    spanProcessors: [options.spanExporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter)],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  active = {
    enabled: true,
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
      active = undefined;
    },
  };
  return active;
}

export function tracer(name: string): Tracer {
  return trace.getTracer(name);
}

/** Runs `fn` in a new active span; records an exception and error status when it throws. */
export async function inSpan<T>(
  tracerName: string,
  name: string,
  attributes: Record<string, string | number | boolean>,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer(tracerName).startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The trace id of the active span, for log lines; undefined when nothing is traced. */
export function activeTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  return span?.isRecording() ? span.spanContext().traceId : undefined;
}

/** Writes `traceparent` (and `tracestate`) of the active context into outgoing request headers. */
export function injectTraceHeaders(headers: { set(name: string, value: string): unknown }): void {
  propagation.inject(context.active(), headers, { set: (carrier, key, value) => void carrier.set(key, value) });
}

/** A span for an SQL statement that already ran (`tookMs` long), child of the active span. */
export function recordSqlSpan(statement: string, tookMs: number): void {
  const end = Date.now();
  const span = tracer('sql').startSpan('db.query', {
    kind: SpanKind.CLIENT,
    startTime: end - tookMs,
    attributes: {
      'db.system': 'postgresql',
      'db.statement': statement.length > 2_000 ? `${statement.slice(0, 2_000)}…` : statement,
    },
  });
  span.end(end);
}

interface MinimalRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
}
interface MinimalResponse {
  statusCode: number;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

/** Express middleware: a SERVER span per request, continuing the caller's trace from `traceparent`. */
export function httpServerSpans(serviceName: string) {
  return (req: MinimalRequest, res: MinimalResponse, next: () => void): void => {
    const parent = propagation.extract(context.active(), req.headers, {
      get: (carrier, key) => carrier[key],
      keys: (carrier) => Object.keys(carrier),
    });
    const span = tracer(serviceName).startSpan(
      `${req.method} ${req.path}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.path } },
      parent,
    );
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    context.with(trace.setSpan(parent, span), next);
  };
}

/** Whether spans are recorded in this process (decided by `initTracing`). */
export function tracingEnabled(): boolean {
  return active?.enabled ?? false;
}

/**
 * Tracing from the standard OpenTelemetry variables: `OTEL_TRACES_EXPORTER` (`otlp`, or `none` — the
 * default), `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_TRACES_SAMPLER_ARG` (ratio, default 1).
 */
export function initTracingFromEnv(
  serviceName: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Tracing {
  const ratio = env.OTEL_TRACES_SAMPLER_ARG === undefined ? 1 : Number(env.OTEL_TRACES_SAMPLER_ARG);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1)
    throw new Error('OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1');
  return initTracing({
    serviceName: env.OTEL_SERVICE_NAME ?? serviceName,
    exporter: env.OTEL_TRACES_EXPORTER === 'otlp' ? 'otlp' : 'none',
    ...(env.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
    sampleRatio: ratio,
  });
}
