/** What a retry budget allows; see {@link RetryBudget}. */
export interface BudgetPolicy {
  /** How far back requests, successes and retries are counted, in ms. */
  readonly windowMs: number;
  /** Retries allowed per second of the window whatever else happened (so a quiet client can retry). */
  readonly minPerSecond: number;
  /** Retries allowed per logical request in the window (a dead API gets at most this much extra load). */
  readonly ratio: number;
}

const SLOTS = 10;

/**
 * A retry budget that tells a dead API from a flaky one (after Finagle's RetryBudget). Within a sliding
 * window (`windowMs`, counted in ten slots), retries may spend:
 *   minPerSecond × window  +  ratio × requests  +  one per success.
 * A dead API earns nothing from successes: it sees the floor plus `ratio` more load, not `retries ×` it. An
 * API that mostly answers earns a retry with every success, so a long collection at a 25 % failure rate is
 * never starved by a count that ran out (the one-time reserve this replaced stopped such collections).
 */
export class RetryBudget {
  private readonly requests = new Float64Array(SLOTS);
  private readonly successes = new Float64Array(SLOTS);
  private readonly retries = new Float64Array(SLOTS);
  private slot = 0;
  private slotStart: number;
  private readonly slotMs: number;

  constructor(
    private readonly policy: BudgetPolicy,
    now: number = Date.now(),
  ) {
    this.slotMs = policy.windowMs / SLOTS;
    this.slotStart = now;
  }

  /** Moves the window to `now`, clearing the slots that left it. */
  private advance(now: number): void {
    const steps = Math.floor((now - this.slotStart) / this.slotMs);
    if (steps <= 0) return;
    for (let i = 0; i < Math.min(steps, SLOTS); i++) {
      this.slot = (this.slot + 1) % SLOTS;
      this.requests[this.slot] = 0;
      this.successes[this.slot] = 0;
      this.retries[this.slot] = 0;
    }
    this.slotStart += steps * this.slotMs;
  }

  private sum(counts: Float64Array): number {
    let total = 0;
    for (const n of counts) total += n;
    return total;
  }

  /** A new logical request was made. */
  deposit(now: number = Date.now()): void {
    this.advance(now);
    this.requests[this.slot]++;
  }

  /** An attempt succeeded (the API is answering). */
  succeeded(now: number = Date.now()): void {
    this.advance(now);
    this.successes[this.slot]++;
  }

  /** Retries the window still allows. */
  balance(now: number = Date.now()): number {
    this.advance(now);
    const { minPerSecond, ratio, windowMs } = this.policy;
    const allowed = (minPerSecond * windowMs) / 1000 + ratio * this.sum(this.requests) + this.sum(this.successes);
    return allowed - this.sum(this.retries);
  }

  /** Takes one retry; false when the budget is spent. */
  withdraw(now: number = Date.now()): boolean {
    if (this.balance(now) < 1 - 1e-9) return false;
    this.retries[this.slot]++;
    return true;
  }

  /** What the window saw, for the message of a request the budget stopped. */
  recent(now: number = Date.now()): { failed: number; attempts: number; windowMs: number } {
    this.advance(now);
    const attempts = this.sum(this.requests) + this.sum(this.retries);
    return { failed: Math.max(0, attempts - this.sum(this.successes)), attempts, windowMs: this.policy.windowMs };
  }
}
