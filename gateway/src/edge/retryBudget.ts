export interface RetryBudgetOptions {
  /** Retries earned by each first attempt. Default 0.2 (retries add at most 20% to the load). */
  readonly ratio?: number;
  /** Most retries saved up, and the balance at start. Default 10. */
  readonly maxBalance?: number;
}

/**
 * A subgraph's retry budget (as in Finagle or Linkerd): each first attempt deposits `ratio` of a
 * retry, each retry withdraws one. When a subgraph fails for everyone, retries stop after the saved
 * balance instead of multiplying the load on it.
 */
export class RetryBudget {
  private balance: number;
  private readonly ratio: number;
  private readonly maxBalance: number;

  constructor(options: RetryBudgetOptions = {}) {
    this.ratio = options.ratio ?? 0.2;
    this.maxBalance = options.maxBalance ?? 10;
    this.balance = this.maxBalance;
  }

  deposit(): void {
    this.balance = Math.min(this.maxBalance, this.balance + this.ratio);
  }

  tryWithdraw(): boolean {
    if (this.balance < 1) return false;
    this.balance -= 1;
    return true;
  }
}
