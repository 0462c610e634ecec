import { PROBE_MS, ROUNDING_MS } from './constants.js';
import { EpochWindows } from './epoch-windows.js';
import { QuotaFrom429s } from './from-429s.js';
import { OwnLog } from './own-log.js';
import type { QuotaReport } from './report.js';
import type { QuotaState } from '../types.js';

export type { QuotaEvent, QuotaState } from '../types.js';

/** One attempt, counted from `take()` until `settle()`. */
export type Ticket = number;

/** How an attempt ended, as far as the quota is concerned; undefined when it got no response. */
export interface Outcome {
  readonly status: number;
  /** Its rate-limit headers, if any. */
  readonly report?: QuotaReport | undefined;
  /** The delay a 429 named (Retry-After), when it had no rate-limit headers. */
  readonly retryAfterMs?: number | undefined;
}

/**
 * The quota model of one limiter. It counts what the limiter sends against what the API says is left, and
 * says when dispatch must wait.
 *
 * With rate-limit headers: within a window the report with the lowest `remaining` is the freshest (answers
 * come back in any order), and every attempt still unanswered is charged against it — it may or may not
 * have been counted when the server wrote that report. When the window's reset passes, the tracker does not
 * assume the whole quota is back: one probe goes first, and its report says what returned — everything
 * (a fixed window), some slots (a sliding window), or a refill (a token bucket). Then the rest follow.
 *
 * Without them, 429s teach it (see QuotaFrom429s). Every ticket ends by `settle()`, with or without a
 * response, and a probe stops holding the others back after PROBE_MS: no state can hold the gate shut with
 * nothing outstanding.
 */
export class QuotaTracker {
  /** Longest pause the tracker may ask for; a longer wait is left to the 429 (which fails fast). */
  maxPauseMs = 60_000;
  private readonly unanswered = new Map<Ticket, number>();
  private next = 0;
  /**
   * Without headers, how long an answer takes with little else in flight: down at once to a shorter one, up by
   * an eighth of a longer one (answers queued behind a burst say little of one sent alone).
   */
  private rttMs = -1;
  /** The freshest report of the current window. */
  private window: QuotaReport | undefined;
  private readonly learned = new QuotaFrom429s();
  private readonly log = new OwnLog();
  private readonly epochs = new EpochWindows();
  /** False until the API has stated a quota or answered 429: until then every check is one branch. */
  private active = false;

  /** Records a dispatch; returns its ticket, to pass to `settle()` however the attempt ends. */
  take(now: number = Date.now()): Ticket {
    const ticket = this.next++;
    this.unanswered.set(ticket, now);
    if (this.active && this.window === undefined) this.learned.sent(ticket, now);
    return ticket;
  }

  /**
   * The attempt behind `ticket` ended: with a response (`outcome`) or without. Returns the new state when
   * what is known changed. A ticket settles once; a second call is ignored.
   */
  settle(ticket: Ticket, outcome: Outcome | undefined, now: number = Date.now()): QuotaState | undefined {
    const sentAt = this.unanswered.get(ticket);
    if (sentAt === undefined) return undefined;
    this.unanswered.delete(ticket);
    this.log.windowMs ??= outcome?.report?.windowMs;
    if (this.active && outcome !== undefined && outcome.status !== 429) this.log.record(now);
    if (outcome?.report) {
      this.active = true;
      const report = outcome.report;
      if (outcome.status === 429 && report.epochReset) this.epochs.refused();
      const changed = this.observe(report, now, sentAt);
      // In a sliding window, what the server counts beyond this limiter's own log is someone else's.
      if (this.log.sliding && report.limit !== undefined) {
        this.log.holdOthers(Math.max(0, report.limit - report.remaining - this.log.count(now) - this.unanswered.size), now);
      }
      return changed ? this.state(now) : undefined;
    }
    if (outcome === undefined) return undefined;
    if (!this.active) {
      if (outcome.status !== 429 || outcome.retryAfterMs === undefined) {
        this.learned.answered(ticket, outcome.status, undefined, now, this.next); // a success counts towards a first 429
        return undefined;
      }
      this.active = true;
    }
    if (this.window !== undefined) {
      // A probe after the reset came back without headers: the API stopped reporting; stop waiting for it.
      if (now >= this.window.resetAt && outcome.status < 400) this.window = undefined;
      return undefined;
    }
    const rtt = now - sentAt;
    this.rttMs = this.rttMs < 0 || rtt < this.rttMs ? rtt : this.rttMs + (rtt - this.rttMs) / 8;
    const changed = this.learned.answered(ticket, outcome.status, outcome.retryAfterMs, now, this.next);
    return changed ? this.state(now) : undefined;
  }

  private observe(report: QuotaReport, now: number, sentAt: number): boolean {
    if (report.resetAt <= now) return false; // about a window that has already reset
    const current = this.window;
    if (!current || now >= current.resetAt) {
      // The probe after a reset says how much came back. Less than the whole quota: the window slides (the
      // oldest slots freed, the rest free one by one); from now on the own log says when each slot is back.
      const probe = current !== undefined && sentAt >= current.resetAt;
      if (probe && report.windowMs !== undefined && report.limit !== undefined && report.remaining + 1 < report.limit)
        this.log.sliding = true;
      this.window = report.epochReset ? { ...report, resetAt: this.epochs.opened(report, sentAt, now) } : report;
      return true;
    }
    // Resets come rounded up to whole seconds, each from its own moment: two reports of one window differ by
    // under a second, and the earlier of them is the tighter bound (still never before the real reset).
    const sameWindow = Math.abs(report.resetAt - current.resetAt) < 1000;
    const resetAt = sameWindow ? Math.min(current.resetAt, report.resetAt) : report.resetAt;
    if (report.remaining < current.remaining) {
      this.window = { ...report, resetAt };
      return true;
    }
    if (!sameWindow || resetAt === current.resetAt) return false; // older news
    this.window = { ...current, resetAt };
    return true;
  }

  /** Requests still allowed now (Infinity when nothing is known). */
  tokens(now: number = Date.now()): number {
    if (!this.active) return Infinity;
    const window = this.window;
    if (window === undefined) return this.learned.tokens(now, this.unanswered.size, this.rttMs);
    if (this.log.sliding && window.limit !== undefined) return window.limit - this.log.held(now) - this.unanswered.size;
    if (now < window.resetAt) return window.remaining - this.unanswered.size;
    // The reset passed: some or all of the quota is back. One probe finds out how much.
    return this.probing(window.resetAt, now) ? 0 : 1;
  }

  /** Whether an attempt sent at or after `from` (and not older than PROBE_MS) is still unanswered. */
  private probing(from: number, now: number): boolean {
    for (const sentAt of this.unanswered.values()) if (sentAt >= from && now - sentAt < PROBE_MS) return true;
    return false;
  }

  /** The longest wait for a spent quota: maxPauseMs, and the second a reset may be rounded up by. */
  get longestWaitMs(): number {
    return this.maxPauseMs + ROUNDING_MS;
  }

  /** True once the API stated a quota or answered 429 (until then the tracker costs one branch per check). */
  get engaged(): boolean {
    return this.active;
  }

  /**
   * When the quota is spent until a window resets: that time (a pause worth telling). Undefined otherwise,
   * including the short waits for a probe's answer.
   */
  spentUntil(now: number = Date.now()): number | undefined {
    if (!this.active || this.tokens(now) > 0) return undefined;
    const window = this.window;
    const until = window === undefined ? this.learned.spentUntil() : now < window.resetAt ? window.resetAt : undefined;
    return until !== undefined && until > now && until - now <= this.longestWaitMs ? until : undefined;
  }

  /** Until when dispatch must wait, or undefined when it may go now (or the wait is beyond longestWaitMs). */
  holdUntil(at?: number): number | undefined {
    if (!this.active) return undefined;
    const now = at ?? Date.now();
    if (this.tokens(now) > 0) return undefined;
    const until = this.blockedUntil(now);
    return until - now <= this.longestWaitMs ? until : undefined;
  }

  /** When tokens are spent: the earliest time worth checking again (a settle may open it sooner). */
  private blockedUntil(now: number): number {
    const window = this.window;
    if (window === undefined) return this.learned.blockedUntil();
    if (this.log.sliding) {
      // The next slot frees then, or a settle opens one sooner.
      const free = this.log.nextFree(now);
      return free > now ? free : now + PROBE_MS;
    }
    if (now < window.resetAt) return window.resetAt;
    // Waiting for the probe's answer; a probe that never answers stops holding the others at PROBE_MS.
    let probeEnds = now + PROBE_MS;
    for (const sentAt of this.unanswered.values())
      if (sentAt >= window.resetAt && sentAt + PROBE_MS > now) probeEnds = Math.min(probeEnds, sentAt + PROBE_MS);
    return probeEnds;
  }

  /** What is known now, or undefined. */
  state(now: number = Date.now()): QuotaState | undefined {
    const window = this.window;
    if (window === undefined) return this.learned.state(now);
    return Object.freeze({
      remaining: Math.max(0, this.tokens(now)),
      resetAt: window.resetAt,
      source: window.source,
      ...(window.limit !== undefined && { limit: window.limit }),
    });
  }
}
