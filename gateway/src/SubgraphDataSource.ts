import { RemoteGraphQLDataSource } from '@apollo/gateway';
import type { GatewayGraphQLRequest, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { isClientSafe } from '@supergraph/errors';
import { REQUEST_ID_HEADER } from '@supergraph/logger';
import { injectTraceHeaders } from '@supergraph/telemetry';
import { GraphQLError } from 'graphql';
import type { Counter, Histogram } from 'prom-client';
import type { GatewayContext } from './context.js';

type FetcherResponse = Awaited<ReturnType<RemoteGraphQLDataSource['fetcher']>>;

/** Fetches from one subgraph: forwards the caller's token and request id, propagates the trace, measures. */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly serviceName: string,
    config: ConstructorParameters<typeof RemoteGraphQLDataSource<GatewayContext>>[0],
    private readonly fetchMetrics: { duration: Histogram; errors: Counter },
  ) {
    super(config);
    // `sendRequest` is private in the base class's types but called through `this`: the override
    // below skips the node-fetch `Request` the base builds on every fetch only to pass it to hooks
    // this class does not use (a measurable share of a fetch's CPU).
    Object.assign(this, { sendRequest: this.send });
  }

  private async send(request: GatewayGraphQLRequest): Promise<GatewayGraphQLResponse> {
    const { http, ...rest } = request;
    if (!http) throw new Error("Internal error: Only 'http' requests are supported.");
    const init = { method: http.method, headers: Object.fromEntries(http.headers), body: JSON.stringify(rest) };
    let response: FetcherResponse | undefined;
    try {
      response = await this.fetcher(http.url, init);
      if (!response.ok) throw await this.errorFromResponse(response);
      const body = await this.parseBody(response);
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw new Error(`Expected JSON response body, but received: ${String(body)}`);
      return { ...body, http: response } as GatewayGraphQLResponse;
    } catch (error) {
      this.didEncounterError(error as Error);
      throw error;
    }
  }

  override async process(options: Parameters<RemoteGraphQLDataSource<GatewayContext>['process']>[0]) {
    const started = performance.now();
    try {
      return await super.process(options);
    } finally {
      this.fetchMetrics.duration.observe({ subgraph: this.serviceName }, (performance.now() - started) / 1000);
    }
  }

  /** A subgraph that cannot be reached or answers non-GraphQL fails with a code naming it. */
  override didEncounterError(error: Error): void {
    this.fetchMetrics.errors.inc({ subgraph: this.serviceName });
    if (error instanceof GraphQLError && isClientSafe(error)) throw error;
    throw new GraphQLError(`The ${this.serviceName} service failed`, {
      originalError: error,
      extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: this.serviceName },
    });
  }

  override willSendRequest({
    request,
    context,
  }: Parameters<RemoteGraphQLDataSource<GatewayContext>['willSendRequest'] & {}>[0]): void {
    if (!request.http) return;
    if (context.requestId) request.http.headers.set(REQUEST_ID_HEADER, context.requestId);
    if (context.authorization) request.http.headers.set('authorization', context.authorization);
    // W3C trace context of the gateway's fetch span: the subgraph continues the same trace.
    injectTraceHeaders(request.http.headers);
  }
}
