import { FORGET_AFTER, MAX_WIDEN_GAP } from './constants.js';
import type { QuotaState } from '../types.js';

/** Not a ticket: the epoch opens at the next send. */
const NEXT_SEND = Number.MAX_SAFE_INTEGER;

/**
 * A quota learned from 429s alone, for an API that sends no rate-limit headers (only Retry-After).
 *
 * A 429 names when its window ends (now + Retry-After): the next window starts there. The first 429 gives a
 * provisional estimate — what the API accepted before it is the limit, the span since the first of those
 * sends is the window — held for one window, in which one extra request goes to test it: a second 429
 * confirms it, and the API accepting more than the limit in that window drops it (a one-off 429 costs its
 * pause and nothing more). A confirmed limit is what the API accepted between two 429s; it widens by one after
 * windows that used it all without a 429 (additive increase: a raised limit is found, and a real one met
 * again with one 429, not a burst of them). Each widening the API refuses doubles the clean windows before
 * the next, up to MAX_WIDEN_GAP; one it accepts brings the gap back to one window — so an API that holds its
 * limit sees one 429 per MAX_WIDEN_GAP + 1 windows, not one per two. A limit is forgotten after FORGET_AFTER
 * clean windows, since the API no longer seems to enforce it. Siblings' 429s of the same event teach nothing new.
 *
 * The limit is counted by answers, not by sends: the server counts a request when it handles it, and under
 * load it handles them out of the order they were sent (measured: a 429 for a request sent 5th of 8 arrived
 * after the 8th was accepted). Successes still in flight when a 429 came were accepted in its window too:
 * they raise the limit it gave as they arrive.
 */
export class QuotaFrom429s {
  private limit: number | undefined;
  private windowMs = 0;
  private start = 0;
  private used = 0;
  private confirmed = false;
  /** End of the last 429's named pause; 429s answered before it are the same event. */
  private pauseEnd = 0;
  /** The counting epoch (since the last 429 event, or the current window): its first ticket and send. */
  private epochTicket = 0;
  private epochAt: number | undefined;
  /** Successes of the epoch's tickets. */
  private accepted = 0;
  /** Tickets of the epoch the last event ended, whose successes still raise the limit it gave. */
  private lateFrom = 0;
  private lateTo = 0;
  private clean = 0;
  /** Clean windows needed before the next widening, those seen since the last, and whether the limit in force is one. */
  private gap = 1;
  private sinceWiden = 0;
  private widened = false;

  /** An attempt was sent (only called while the tracker is active and has no header window). */
  sent(ticket: number, now: number): void {
    this.roll(now);
    // An epoch opens at its first send, with or without a limit (after a forgotten one the count starts anew).
    if (this.epochTicket === NEXT_SEND) this.epochTicket = ticket;
    this.epochAt ??= now;
    if (this.limit !== undefined) this.used++;
  }

  /** Starts the window `now` falls in and judges the ones that ended. */
  private roll(now: number): void {
    if (this.limit === undefined || now < this.start + this.windowMs) return;
    const ended = Math.floor((now - this.start) / this.windowMs);
    if (!this.confirmed) return this.forget(); // one window passed and no 429 confirmed it
    if (this.used > this.limit - 1) {
      this.clean++;
      if (this.widened) this.gap = 1; // the API took one more: look further at once
      this.widened = false;
      if (++this.sinceWiden >= this.gap) {
        this.limit++;
        this.sinceWiden = 0;
        this.widened = true;
      }
      if (this.clean >= FORGET_AFTER) return this.forget();
    }
    this.start += ended * this.windowMs;
    this.used = 0;
    this.openEpoch();
  }

  private openEpoch(): void {
    this.epochTicket = NEXT_SEND;
    this.epochAt = undefined;
    this.accepted = 0;
  }

  private forget(): void {
    this.limit = undefined;
    this.confirmed = false;
    this.clean = 0;
    this.gap = 1;
    this.sinceWiden = 0;
    this.widened = false;
    this.openEpoch();
  }

  /**
   * An attempt was answered (no rate-limit headers; before the tracker engaged too, so that successes count
   * towards a first 429). Returns true when what is known changed.
   * `nextTicket` is the tracker's next ticket number: the first one of the next counting epoch.
   */
  answered(ticket: number, status: number, retryAfterMs: number | undefined, now: number, nextTicket: number): boolean {
    if (status !== 429 || retryAfterMs === undefined) return status < 400 && this.success(ticket);
    if (now < this.pauseEnd || ticket < this.lateTo) return false; // a sibling, or sent before the last event
    const end = now + retryAfterMs;
    const count = Math.max(1, this.accepted);
    if (this.limit === undefined || this.pauseEnd === 0) {
      this.windowMs = Math.max(retryAfterMs, end - (this.epochAt ?? now), 1);
      this.confirmed = false;
    } else {
      // Between two 429s: what the API accepted in the window is its limit; the pauses' ends are a window
      // (or a few) apart — the shortest span seen is the best guess.
      const span = end - this.pauseEnd;
      this.windowMs = this.confirmed ? Math.min(this.windowMs, span) : span;
      // Refused one beyond a limit (a widening, or a provisional limit's test): wait longer before the next.
      if (this.widened || !this.confirmed) this.gap = Math.min(MAX_WIDEN_GAP, this.gap * 2);
      this.confirmed = true;
    }
    this.limit = count;
    this.clean = 0;
    this.sinceWiden = 0;
    this.widened = false;
    this.pauseEnd = end;
    this.start = end;
    this.used = 0;
    this.lateFrom = Math.min(this.epochTicket, nextTicket);
    this.lateTo = nextTicket;
    this.openEpoch();
    return true;
  }

  private success(ticket: number): boolean {
    if (ticket >= this.epochTicket) this.accepted++;
    else if (this.limit !== undefined && ticket >= this.lateFrom && ticket < this.lateTo) this.limit++;
    // The API accepted more than the provisional limit in one window: the 429 was a one-off.
    if (this.limit === undefined || this.confirmed || this.accepted <= this.limit) return false;
    this.forget();
    return true;
  }

  /** Requests allowed now (Infinity when nothing was learned). The provisional limit allows one test beyond. */
  tokens(now: number): number {
    this.roll(now);
    if (this.limit === undefined) return Infinity;
    return (this.confirmed ? this.limit : this.limit + 1) - this.used;
  }

  /** When tokens are spent: the window's end. */
  blockedUntil(): number {
    return this.start + this.windowMs;
  }

  /** Whether the limit in force was confirmed by a second 429 (a provisional one only waits for its test). */
  get isConfirmed(): boolean {
    return this.limit !== undefined && this.confirmed;
  }

  state(now: number): QuotaState | undefined {
    const tokens = this.tokens(now);
    if (this.limit === undefined) return undefined;
    return Object.freeze({ limit: this.limit, remaining: Math.max(0, tokens), resetAt: this.start + this.windowMs, source: '429' });
  }
}
