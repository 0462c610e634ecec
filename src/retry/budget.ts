/**
 * A retry budget (the Finagle / gRPC idea): every logical request deposits `ratio` tokens, every retry
 * withdraws one. Retries therefore add at most `ratio` of the traffic plus the `reserve` the budget starts
 * with; a dead API gets a trickle, not `retries ×` the load. Banked tokens are capped at `max`.
 */
export class RetryBudget {
  private tokens: number;

  constructor(private readonly options: { readonly ratio: number; readonly reserve: number; readonly max: number }) {
    this.tokens = options.reserve;
  }

  /** Tokens currently available. */
  get balance(): number {
    return this.tokens;
  }

  /** A new logical request was made. */
  deposit(): void {
    this.tokens = Math.min(this.options.max, this.tokens + this.options.ratio);
  }

  /** Takes one token for a retry; false when the budget is spent. */
  withdraw(): boolean {
    // Tolerate float drift: ten deposits of 0.1 must buy one retry.
    if (this.tokens < 1 - 1e-9) return false;
    this.tokens = Math.max(0, this.tokens - 1);
    return true;
  }
}
