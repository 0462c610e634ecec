import type { QuotaReport } from './ratelimit-headers.js';

/** What the limiter has learned about the API's quota; `steady.quota()` returns it. */
export interface QuotaState {
  readonly limit?: number;
  /** Requests the limiter may still send in this window, counting those in flight. */
  readonly remaining: number;
  /** Epoch ms the window resets. */
  readonly resetAt: number;
  /** Header format it was read from, or `429` when learned from rate-limited responses alone. */
  readonly source: QuotaReport['source'] | '429';
}

/** Told whenever a response changes what is known about the quota. */
export type QuotaEvent = QuotaState;

interface Known {
  readonly limit?: number;
  readonly remaining: number;
  resetAt: number;
  /** Dispatch number of the request whose response reported this; later dispatches may be uncounted. */
  readonly seq: number;
  readonly source: QuotaState['source'];
}

/**
 * Counts what this limiter sends against what the API says is left, and says when to stop: when the
 * requests sent since the last report (in flight included) use up `remaining`, the caller closes the pause
 * gate until the window resets. Without rate-limit headers, a 429 with Retry-After teaches it the same
 * thing: the window's limit is what succeeded before it, and its end is what Retry-After named.
 */
export class QuotaTracker {
  #dispatched = 0;
  #known: Known | undefined;
  /** Dispatch number at which the current window began after a reset passed. */
  #windowStartSeq = 0;
  #windowStartAt = 0;
  /** Learned from 429s without headers: successes per window and window length. */
  #learnedLimit: number | undefined;
  #learnedWindowMs: number | undefined;
  #okInWindow = 0;
  /** Dispatch number of an outstanding probe (sent with no tokens and no known reset). */
  #probe: number | undefined;
  /** Longest pause the tracker may ask for; a longer wait is left to the 429 (which fails fast). */
  maxPauseMs = 60_000;

  /** False until the API has stated a quota or answered 429: until then every check is one branch. */
  #active = false;

  /** Records a dispatch; returns its number, to pass to `observe()` with its response. */
  take(now?: number): number {
    if (this.#active && this.#probe === undefined && this.tokens(now ?? Date.now()) <= 0) this.#probe = this.#dispatched;
    return this.#dispatched++;
  }

  /** Until when dispatch must wait, or undefined when it may go now. */
  holdUntil(at?: number): number | undefined {
    if (!this.#active) return undefined;
    const now = at ?? Date.now();
    if (this.tokens(now) > 0) return undefined;
    const until = this.blockedUntil(now) ?? (this.#probe !== undefined ? now + 50 : undefined);
    return until !== undefined && until - now <= this.maxPauseMs ? until : undefined;
  }

  /** Requests still allowed now, or Infinity when nothing is known. */
  tokens(now: number = Date.now()): number {
    const known = this.#known;
    if (known && now < known.resetAt) return known.remaining - (this.#dispatched - known.seq - 1);
    const limit = known?.limit ?? this.#learnedLimit;
    if (limit === undefined) return Infinity;
    if (known && now >= known.resetAt) this.#rollover(known.resetAt);
    return limit - (this.#dispatched - this.#windowStartSeq);
  }

  /** When tokens are spent: the time the window resets, if known. */
  blockedUntil(now: number = Date.now()): number | undefined {
    if (this.tokens(now) > 0) return undefined;
    const known = this.#known;
    if (known && now < known.resetAt) return known.resetAt;
    if (this.#learnedWindowMs !== undefined && this.#windowStartAt + this.#learnedWindowMs <= now) {
      this.#rollover(this.#windowStartAt + this.#learnedWindowMs); // a learned window ended: start the next
      return undefined;
    }
    if (this.#learnedWindowMs !== undefined) return this.#windowStartAt + this.#learnedWindowMs;
    return undefined; // unknown: let one request probe, its 429 will say how long
  }

  #rollover(resetAt: number): void {
    // The window the last report described is over: a new one started at its reset.
    this.#known = undefined;
    this.#windowStartSeq = this.#dispatched;
    this.#windowStartAt = resetAt;
    this.#okInWindow = 0;
  }

  /** Feeds a response's report (undefined when it had no rate-limit headers). Returns the state if it changed. */
  observe(
    report: QuotaReport | undefined,
    seq: number,
    status: number,
    retryAfterMs: number | undefined,
    now: number = Date.now(),
  ): QuotaState | undefined {
    if (this.#probe !== undefined && seq >= this.#probe) this.#probe = undefined;
    if (report) {
      this.#active = true;
      const known = this.#known;
      const newer = !known || seq > known.seq || report.resetAt > known.resetAt + 1000;
      if (!newer) {
        // Same window, older news: only a tighter (earlier) reset bound is worth keeping.
        if (Math.abs(report.resetAt - known.resetAt) < 1000) known.resetAt = Math.min(known.resetAt, report.resetAt);
        return undefined;
      }
      const sameWindow = known && Math.abs(report.resetAt - known.resetAt) < 1000;
      this.#known = {
        remaining: report.remaining,
        resetAt: sameWindow ? Math.min(known.resetAt, report.resetAt) : report.resetAt,
        seq,
        source: report.source,
        ...(report.limit !== undefined && { limit: report.limit }),
      };
      return this.state(now);
    }
    if (status !== 429) {
      if (seq >= this.#windowStartSeq) this.#okInWindow++;
      return undefined;
    }
    if (retryAfterMs === undefined || seq < this.#windowStartSeq) return undefined;
    this.#active = true;
    // A 429 without rate-limit headers ends this window: what succeeded in it is the limit.
    const resetAt = now + retryAfterMs;
    if (this.#okInWindow > 0) this.#learnedLimit = this.#okInWindow;
    if (this.#windowStartAt > 0) this.#learnedWindowMs = resetAt - this.#windowStartAt;
    this.#known = {
      remaining: 0,
      resetAt,
      seq: this.#dispatched - 1, // everything sent so far is spent until the reset
      source: '429',
      ...(this.#learnedLimit !== undefined && { limit: this.#learnedLimit }),
    };
    return this.state(now);
  }

  /** What is known now, or undefined. */
  state(now: number = Date.now()): QuotaState | undefined {
    const known = this.#known;
    if (!known) return undefined;
    return Object.freeze({
      remaining: Math.max(0, this.tokens(now)),
      resetAt: known.resetAt,
      source: known.source,
      ...(known.limit !== undefined && { limit: known.limit }),
    });
  }
}
