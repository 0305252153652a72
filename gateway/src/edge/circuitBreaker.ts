export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. Default 5. */
  readonly failureThreshold?: number;
  /** How long an open circuit refuses calls before letting one trial through. Default 10 s. */
  readonly openMs?: number;
}

/**
 * One subgraph's circuit breaker. Closed: calls pass, consecutive failures are counted. Open: calls
 * are refused at once (no connection, no timeout to wait for) until `openMs` has passed. Half-open:
 * one trial call passes, the others are refused; its success closes the circuit, its failure opens
 * it again.
 */
export class CircuitBreaker {
  private stateValue: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;
  private readonly failureThreshold: number;
  private readonly openMs: number;

  constructor(
    options: CircuitBreakerOptions = {},
    private readonly onChange: (state: CircuitState) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {
    this.failureThreshold = options.failureThreshold ?? 5;
    this.openMs = options.openMs ?? 10_000;
  }

  get state(): CircuitState {
    return this.stateValue;
  }

  /** Whether a call may go out now; a `true` in half-open reserves the single trial. */
  tryAcquire(): boolean {
    if (this.stateValue === 'closed') return true;
    if (this.stateValue === 'open') {
      if (this.now() - this.openedAt < this.openMs) return false;
      this.transition('half-open');
    }
    if (this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  success(): void {
    this.failures = 0;
    this.trialInFlight = false;
    if (this.stateValue !== 'closed') this.transition('closed');
  }

  failure(): void {
    this.trialInFlight = false;
    this.failures += 1;
    if (this.stateValue === 'half-open' || (this.stateValue === 'closed' && this.failures >= this.failureThreshold)) {
      this.openedAt = this.now();
      this.transition('open');
    }
  }

  private transition(state: CircuitState): void {
    this.stateValue = state;
    this.onChange(state);
  }
}
