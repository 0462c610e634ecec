/**
 * A retry budget (the Finagle / gRPC idea): every logical request deposits `ratio` tokens, every retry
 * withdraws one. Retries therefore add at most `ratio` of the traffic plus the `reserve` the budget starts
 * with; a dead API gets a trickle, not `retries ×` the load. Banked tokens are capped at `max`.
 */
export class RetryBudget {
  #balance: number;

  constructor(private readonly options: { readonly ratio: number; readonly reserve: number; readonly max: number }) {
    this.#balance = options.reserve;
  }

  /** Tokens currently available. */
  get balance(): number {
    return this.#balance;
  }

  /** A new logical request was made. */
  deposit(): void {
    this.#balance = Math.min(this.options.max, this.#balance + this.options.ratio);
  }

  /** Takes one token for a retry; false when the budget is spent. */
  withdraw(): boolean {
    // Tolerate float drift: ten deposits of 0.1 must buy one retry.
    if (this.#balance < 1 - 1e-9) return false;
    this.#balance = Math.max(0, this.#balance - 1);
    return true;
  }
}
