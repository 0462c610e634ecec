import type Bottleneck from 'bottleneck';
import type { LimiterControl } from '../control/state.js';
import type { QuotaEvent } from '../quota/tracker.js';
import type { RetryBudget } from '../retry/budget.js';

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
  /** The limiter's control: its pauses and gate, lane, quota, fleet ledger (shared by every attach() of it). */
  readonly control: LimiterControl;
  readonly budget: RetryBudget | undefined;
  readonly counters: Counters;
  readonly onQuota: ((event: QuotaEvent) => void) | undefined;
  /** Whether this attach() feeds and obeys the limiter's quota tracker (`quota: false` turns it off). */
  readonly learnQuota: boolean;
  /** Whether requests are traced when an OpenTelemetry tracer is registered (`telemetry: false` turns it off). */
  readonly telemetry: boolean;
  /** What this attach() shows as gauges (see telemetry/otel.ts' observeLimiter), kept alive by the instance. */
  gauges?: () => { limiter: string; remaining: number | undefined; up: boolean };
  /** Whether a second retry layer on the instance was warned about (once per attach()). */
  warned: boolean;
}
