import type Bottleneck from 'bottleneck';
import type { LimiterState } from './limiter-state.js';
import type { QuotaEvent } from './quota/tracker.js';
import type { RetryBudget } from './retry/budget.js';
import type { PauseEvent } from './types.js';

/** Counters of one attach(), read through `steady.stats()`. */
export interface Counters {
  requests: number;
  attempts: number;
  retries: number;
  failures: number;
  rateLimited: number;
  pauses: number;
  /** Extra copies sent by hedging. */
  hedges: number;
}

/** What every request of one attach() shares. */
export interface SteadyContext {
  readonly limiter: Bottleneck;
  readonly state: LimiterState;
  readonly budget: RetryBudget | undefined;
  readonly counters: Counters;
  readonly onPause: ((event: PauseEvent) => void) | undefined;
  readonly onQuota: ((event: QuotaEvent) => void) | undefined;
  /** Whether this attach() feeds and obeys the limiter's quota tracker (`quota: false` turns it off). */
  readonly learnQuota: boolean;
  /** End of the last quota pause reported, so each pause is counted once. */
  quotaPausedUntil: number;
  /** Whether a second retry layer on the instance was warned about (once per attach()). */
  warned: boolean;
}
