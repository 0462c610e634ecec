import type { AxiosResponse } from 'axios';

/** A hedging policy after normalization: when a second copy of a slow attempt is sent. */
export interface HedgePolicy {
  /** A fixed delay in ms, or the percentile (0–100) of the limiter's recent latencies. */
  readonly delay: number | { readonly percentile: number };
  /** Never hedge sooner than this (ms). */
  readonly minDelay: number;
}

const SIZE = 256;
/** Latencies needed before a percentile is trusted: fewer, and no hedge is sent. */
export const MIN_SAMPLES = 20;

/**
 * Recent attempt latencies of one limiter (the last 256 answered), for hedging at a percentile. Sorting is
 * deferred until a percentile is asked for, and then cached until 16 more samples came in.
 */
export class LatencyWindow {
  private readonly samples = new Float64Array(SIZE);
  private count = 0;
  private sorted: Float64Array | undefined;
  private staleness = 0;

  add(ms: number): void {
    this.samples[this.count % SIZE] = ms;
    this.count++;
    if (++this.staleness >= 16) this.sorted = undefined;
  }

  /** The p-th percentile (0–100) of recent latencies; undefined until MIN_SAMPLES are known. */
  percentile(p: number): number | undefined {
    const n = Math.min(this.count, SIZE);
    if (n < MIN_SAMPLES) return undefined;
    if (!this.sorted) {
      this.sorted = this.samples.slice(0, n).sort();
      this.staleness = 0;
    }
    return this.sorted[Math.min(n - 1, Math.floor((p / 100) * n))];
  }
}

/** How long to wait before hedging an attempt, or undefined: no hedge (not enough samples yet). */
export function hedgeDelay(policy: HedgePolicy, latency: LatencyWindow): number | undefined {
  const ms = typeof policy.delay === 'number' ? policy.delay : latency.percentile(policy.delay.percentile);
  return ms === undefined ? undefined : Math.max(policy.minDelay, Math.ceil(ms));
}

/** One copy of an attempt: sent through the limiter with its own signal; `started` when it leaves the queue. */
export type Copy = (signal: AbortSignal, started: () => void) => Promise<AxiosResponse>;

/**
 * Sends `copy` and, if it has not answered `delayMs` after it *left the queue* (time in the limiter's queue is
 * not latency), one more — when `mayHedge()` still says so at that moment (the retry budget, the quota). The
 * first success wins and the other copy is cancelled. When the hedge fails while the first copy is still out,
 * the attempt fails with the hedge's error and the first copy is cancelled: it is already slower than the
 * hedge delay, and waiting on it (a hang waits out the whole timeout) would keep the retry policy from acting
 * on the failure it just saw. When the first copy fails, the younger hedge is waited for; when both fail,
 * the later failure is the attempt's. `parent` cancels both.
 */
export function hedged(
  copy: Copy,
  delayMs: number,
  mayHedge: () => boolean,
  onHedge: () => void,
  parent: AbortSignal | undefined,
): Promise<AxiosResponse> {
  return new Promise((resolve, reject) => {
    const copies = new Set<AbortController>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let settled = false;
    let hedgedOnce = false;
    let first: AbortController | undefined;
    const end = () => {
      settled = true;
      clearTimeout(timer);
      parent?.removeEventListener('abort', cancelAll);
    };
    const cancelAll = () => {
      for (const c of copies) c.abort(parent?.reason);
    };
    parent?.addEventListener('abort', cancelAll, { once: true });
    const launch = () => {
      const controller = new AbortController();
      first ??= controller;
      if (parent?.aborted) controller.abort(parent.reason);
      copies.add(controller);
      const started = () => {
        if (hedgedOnce || settled) return;
        timer = setTimeout(() => {
          if (settled || copies.size !== 1 || !mayHedge()) return;
          hedgedOnce = true;
          onHedge();
          launch();
        }, delayMs);
      };
      copy(controller.signal, started).then(
        (response) => {
          copies.delete(controller);
          if (settled) return;
          end();
          for (const other of copies) other.abort(); // the loser
          resolve(response);
        },
        (error: unknown) => {
          copies.delete(controller);
          if (settled) return;
          if (copies.size > 0 && controller === first) return; // the younger hedge may still answer
          end();
          for (const other of copies) other.abort(); // the slow first copy
          reject(error);
        },
      );
    };
    launch();
  });
}
