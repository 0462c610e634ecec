import type { QuotaState } from './tracker.js';

/** Clean, saturated windows after which a learned limit is forgotten unless a 429 confirmed it since. */
const FORGET_AFTER = 8;

/**
 * A quota learned from 429s alone, for an API that sends no rate-limit headers (only Retry-After).
 *
 * A 429 names when its window ends (now + Retry-After): the next window starts there. The first 429 gives a
 * provisional estimate — what was sent before it is the limit, the span since the first of those sends is
 * the window — held for one window, after which one extra request tests it: a second 429 confirms it, a
 * success drops it (a one-off 429 costs its pause and nothing more). A confirmed limit is what was sent
 * between two 429s; it widens by one per window that used it all without a 429 (additive increase: a real
 * limit is found again with one 429, not a burst of them), and it is forgotten after FORGET_AFTER such
 * windows, since the API no longer seems to enforce it. Siblings' 429s of the same event teach nothing new.
 */
export class LearnedQuota {
  private limit: number | undefined;
  private windowMs = 0;
  private start = 0;
  private used = 0;
  private confirmed = false;
  /** End of the last 429's named pause; 429s answered before it are the same event. */
  private pauseEnd = 0;
  /** First ticket and first send of what is counted towards the next 429. */
  private epochTicket = 0;
  private epochAt: number | undefined;
  private clean = 0;
  /** The one request sent beyond a provisional limit, to test it. */
  private testTicket = -1;

  /** An attempt was sent (only called while the tracker is active and has no header window). */
  sent(ticket: number, now: number): void {
    this.epochAt ??= now;
    if (this.limit === undefined) return;
    if (this.roll(now)) this.epochTicket = ticket; // what a 429 in this window counts starts here
    if (!this.confirmed && this.used === this.limit) this.testTicket = ticket;
    this.used++;
  }

  /** Starts the window `now` falls in and judges the ones that ended; true when a new window began. */
  private roll(now: number): boolean {
    if (this.limit === undefined || now < this.start + this.windowMs) return false;
    this.judge(now);
    return true;
  }

  private judge(now: number): void {
    if (this.limit === undefined) return;
    const ended = Math.floor((now - this.start) / this.windowMs);
    const saturated = this.used > (this.confirmed ? this.limit - 1 : this.limit);
    if (!this.confirmed) return this.forget(); // one window passed and no 429 confirmed it
    if (saturated) {
      this.clean++;
      this.limit++;
      if (this.clean >= FORGET_AFTER) return this.forget();
    }
    this.start += ended * this.windowMs;
    this.used = 0;
  }

  private forget(): void {
    this.limit = undefined;
    this.confirmed = false;
    this.clean = 0;
  }

  /**
   * An attempt was answered (no rate-limit headers). Returns true when what is known changed.
   * `nextTicket` is the tracker's next ticket number: the first one of the next counting epoch.
   */
  answered(ticket: number, status: number, retryAfterMs: number | undefined, now: number, nextTicket: number): boolean {
    if (status !== 429 || retryAfterMs === undefined) {
      // The provisional limit's test request went through: the 429 was a one-off.
      if (this.limit !== undefined && !this.confirmed && status < 400 && ticket === this.testTicket) {
        this.forget();
        return true;
      }
      return false;
    }
    if (now < this.pauseEnd) return false; // a sibling of the same 429 event
    const end = now + retryAfterMs;
    const count = Math.max(1, ticket - this.epochTicket);
    if (this.limit === undefined || this.pauseEnd === 0) {
      this.limit = count;
      this.windowMs = Math.max(retryAfterMs, end - (this.epochAt ?? now), 1);
      this.confirmed = false;
    } else {
      // Between two 429s: what was sent in the window is what the API accepts; the pauses' ends are a window
      // (or a few) apart — the shortest span seen is the best guess.
      const span = end - this.pauseEnd;
      this.windowMs = this.confirmed ? Math.min(this.windowMs, span) : span;
      this.limit = count;
      this.confirmed = true;
    }
    this.clean = 0;
    this.pauseEnd = end;
    this.start = end;
    this.used = 0;
    this.epochTicket = nextTicket;
    this.epochAt = undefined;
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
