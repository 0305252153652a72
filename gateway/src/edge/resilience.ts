import { GraphQLError } from 'graphql';
import type { ServiceMetrics } from '@supergraph/telemetry';
import { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from './circuitBreaker.js';
import { RetryBudget, type RetryBudgetOptions } from './retryBudget.js';

export interface SubgraphResilienceOptions {
  /** Time for one attempt (connect, send, answer). Default 10 s. */
  readonly timeoutMs: number;
  /** Extra attempts for queries after a network error, timeout or 5xx; mutations are never retried. Default 2. */
  readonly retries: number;
  /** Wait before retry n: `backoffMs · 2^(n-1)`, plus up to as much again at random. Default 25 ms. */
  readonly backoffMs: number;
  readonly circuitBreaker: CircuitBreakerOptions;
  readonly retryBudget: RetryBudgetOptions;
}

export const DEFAULT_SUBGRAPH_RESILIENCE: SubgraphResilienceOptions = {
  timeoutMs: 10_000,
  retries: 2,
  backoffMs: 25,
  circuitBreaker: { failureThreshold: 5, openMs: 10_000 },
  retryBudget: { ratio: 0.2, maxBalance: 10 },
};

export interface ResilienceOptions {
  readonly defaults?: Partial<SubgraphResilienceOptions>;
  /** Overrides by subgraph name (e.g. a longer timeout for `search`). */
  readonly subgraphs?: Readonly<Record<string, Partial<SubgraphResilienceOptions>>>;
}

/** The fetch signature `RemoteGraphQLDataSource` calls. */
export type Fetcher = (url: string, init: RequestInit) => Promise<Response>;

const STATE_VALUE: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * Whether a subgraph request may be sent twice. `RemoteGraphQLDataSource` serialises
 * `{ query, ...rest }`, and the query planner prints fetches as `query …` or `{ … }` and mutation
 * fetches as `mutation …`: only a body that starts as a query is retried, anything else is not.
 */
export function isIdempotentBody(body: RequestInit['body']): boolean {
  return typeof body === 'string' && (body.startsWith('{"query":"query') || body.startsWith('{"query":"{'));
}

export function subgraphUnavailable(serviceName: string, reason: string): GraphQLError {
  return new GraphQLError(`The ${serviceName} service is unavailable (${reason})`, {
    extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName },
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface SubgraphGuard {
  readonly options: SubgraphResilienceOptions;
  readonly breaker: CircuitBreaker;
  readonly budget: RetryBudget;
}

/**
 * Per-subgraph timeouts, retries of queries within a retry budget, and a circuit breaker, wrapped
 * around the fetcher each subgraph data source uses. A refused or timed-out fetch fails with
 * SUBGRAPH_UNAVAILABLE naming the subgraph; the gateway still returns what the other fetches of the
 * plan produced (partial results).
 */
export class SubgraphResilience {
  private readonly guards = new Map<string, SubgraphGuard>();
  private readonly counters;

  constructor(
    private readonly options: ResilienceOptions = {},
    metrics?: ServiceMetrics,
  ) {
    this.counters = metrics && {
      retries: metrics.counter('supergraph_subgraph_retries_total', 'Subgraph fetches retried', ['subgraph']),
      timeouts: metrics.counter('supergraph_subgraph_timeouts_total', 'Subgraph fetch attempts timed out', [
        'subgraph',
      ]),
      rejected: metrics.counter(
        'supergraph_subgraph_circuit_rejections_total',
        'Subgraph fetches refused by an open circuit breaker',
        ['subgraph'],
      ),
      transitions: metrics.counter('supergraph_subgraph_circuit_transitions_total', 'Circuit breaker state changes', [
        'subgraph',
        'state',
      ]),
    };
    metrics?.gauge(
      'supergraph_subgraph_circuit_state',
      'Circuit breaker state by subgraph: 0 closed, 1 half-open, 2 open',
      ['subgraph'],
      (gauge) => {
        for (const [subgraph, guard] of this.guards) gauge.set({ subgraph }, STATE_VALUE[guard.breaker.state]);
      },
    );
  }

  /** The circuit state of one subgraph (`closed` before its first fetch). */
  state(serviceName: string): CircuitState {
    return this.guards.get(serviceName)?.breaker.state ?? 'closed';
  }

  private guard(serviceName: string): SubgraphGuard {
    let guard = this.guards.get(serviceName);
    if (!guard) {
      const options: SubgraphResilienceOptions = {
        ...DEFAULT_SUBGRAPH_RESILIENCE,
        ...this.options.defaults,
        ...this.options.subgraphs?.[serviceName],
      };
      guard = {
        options,
        breaker: new CircuitBreaker(options.circuitBreaker, (state) =>
          this.counters?.transitions.inc({ subgraph: serviceName, state }),
        ),
        budget: new RetryBudget(options.retryBudget),
      };
      this.guards.set(serviceName, guard);
    }
    return guard;
  }

  /** `fetcher` with this subgraph's timeout, retries and circuit breaker. */
  wrap(serviceName: string, fetcher: Fetcher): Fetcher {
    const { options, breaker, budget } = this.guard(serviceName);
    const labels = { subgraph: serviceName };
    return async (url, init) => {
      const idempotent = isIdempotentBody(init.body);
      budget.deposit();
      for (let attempt = 0; ; attempt += 1) {
        if (!breaker.tryAcquire()) {
          this.counters?.rejected.inc(labels);
          throw subgraphUnavailable(serviceName, 'circuit open');
        }
        let failure: { response?: Response; error?: unknown };
        // Not AbortSignal.timeout: its timer lives until it fires, so a busy gateway would hold
        // thousands of them; this one is cleared as soon as the subgraph has answered.
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), options.timeoutMs);
        const signal = controller.signal;
        try {
          const response = await fetcher(url, { ...init, signal });
          if (response.status < 500) {
            breaker.success();
            return response;
          }
          failure = { response };
        } catch (error) {
          failure = { error };
        } finally {
          clearTimeout(timer);
        }
        breaker.failure();
        // Fetchers word an abort differently (fetch: TimeoutError, undici: RequestAbortedError).
        const timedOut = failure.error !== undefined && signal.aborted;
        if (timedOut) this.counters?.timeouts.inc(labels);
        if (!idempotent || attempt >= options.retries || !budget.tryWithdraw()) {
          if (failure.response) return failure.response;
          if (timedOut) throw subgraphUnavailable(serviceName, `timed out after ${options.timeoutMs} ms`);
          throw failure.error;
        }
        await failure.response?.body?.cancel().catch(() => {});
        this.counters?.retries.inc(labels);
        const backoff = options.backoffMs * 2 ** attempt;
        await sleep(backoff + Math.random() * backoff);
      }
    };
  }
}
