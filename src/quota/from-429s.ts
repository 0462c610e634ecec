import { FORGET_AFTER, MAX_WIDEN_GAP, PROBE_MS, ROUNDING_MS } from './constants.js';
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
 *
 * A window the estimate started (one that rolled over, rather than began at a pause's end) may have started
 * before the API's did: Retry-After comes in whole seconds, rounded up, so the learned window may be short by up
 * to one. Sends go freely up to the limit counted since the last window known to have started; the next one is
 * a probe and goes alone, once what this window sent was answered (answered out of order, one sent before it
 * could meet the 429 instead). The probe accepted shows the API's window did roll over, and the rest go. A 429 to it
 * says the window is longer than thought, and nothing about the limit, which stands; a 429 within the count
 * says the API takes fewer. After a widening, the widened-to request is the probe: refused, it only means the
 * limit was right.
 *
 * The provisional limit may be up to twice the real one: what the API accepted before the first 429 may span
 * the end of one of its windows and the start of the next. Past its half, in its test window, requests go one at
 * a time — one meets the 429, not every one in flight — when that ends well within the part of the window surely
 * the API's (its end is known to a second): against a fast API, not a slow one, whose test would come too late.
 * A provisional limit whose window ended before its test went (too little demand, or a slow API) holds for
 * another window rather than being dropped.
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
  /** Windows rolled over since the last 429 event; whether the current one is known to have started (see above). */
  private rolls = 0;
  private verified = true;
  /** Sends since the start of the last window known to have started. */
  private sinceVerified = 0;
  /** The last probe (see above): its success shows the API's window did roll over; whether it opened this one. */
  private probe: number | undefined;
  private byProbe = false;
  /** The first send past the limit since the last window known to have started (NEXT_SEND: none yet). */
  private beyondFrom = NEXT_SEND;
  /** When the last attempt was sent. */
  private lastSentAt = 0;

  /** An attempt was sent (only called while the tracker is active and has no header window). */
  sent(ticket: number, now: number): void {
    this.roll(now);
    // An epoch opens at its first send, with or without a limit (after a forgotten one the count starts anew).
    if (this.epochTicket === NEXT_SEND) this.epochTicket = ticket;
    this.epochAt ??= now;
    this.lastSentAt = now;
    const limit = this.limit;
    if (limit === undefined) return;
    if (this.probing(limit)) {
      this.probe = ticket;
      if (this.beyondFrom === NEXT_SEND) this.beyondFrom = ticket;
    }
    this.used++;
    this.sinceVerified++;
  }

  /** Starts the window `now` falls in and judges the ones that ended. */
  private roll(now: number): void {
    if (this.limit === undefined || now < this.start + this.windowMs) return;
    const ended = Math.floor((now - this.start) / this.windowMs);
    if (!this.confirmed) {
      // One window passed and no 429 confirmed the limit: its test went through (a one-off 429), or the window
      // ended before the test went, and the limit holds for another.
      if (this.used > this.limit) return this.forget();
    } else if (this.used > this.limit - 1) {
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
    this.rolls += ended;
    this.verified = false;
    this.byProbe = false;
    this.probe = undefined;
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
    this.verified = true;
    this.probe = undefined;
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
    const limit = this.limit;
    if (
      limit !== undefined &&
      this.pauseEnd !== 0 &&
      ((!this.verified && ticket >= this.beyondFrom) || (this.byProbe && this.accepted < limit / 2))
    ) {
      // Refused past the limit in a window the estimate started, before it was known to have started — or in one
      // its probe opened, having taken less than half the limit (the probe was the old window's last place, when
      // the limit is below the API's): the window is longer than thought. The limit stands. Refused within the
      // limit in a window the estimate started, or at a pause's end, the API takes fewer: the branch below.
      this.windowMs = Math.max(this.windowMs, Math.floor((end - this.pauseEnd) / Math.max(1, this.rolls)));
      // The probe was the widened-to request: the widening may be what was refused. Back to the limit before it,
      // and longer until the next (a window that was right only grows by the rounding of its end).
      if (this.widened) {
        this.limit = limit - 1;
        this.gap = Math.min(MAX_WIDEN_GAP, this.gap * 2);
      }
    } else if (limit === undefined || this.pauseEnd === 0) {
      this.windowMs = Math.max(retryAfterMs, end - (this.epochAt ?? now), 1);
      this.confirmed = false;
      this.limit = count;
    } else {
      // Between two 429s: what the API accepted in the window is its limit; the pauses' ends are a window
      // (or a few) apart — the shortest span seen is the best guess (a provisional limit kept past its first
      // window has rolled over since).
      const span = end - this.pauseEnd;
      this.windowMs = this.confirmed ? Math.min(this.windowMs, span) : Math.floor(span / (this.rolls + 1));
      // Refused one beyond a limit (a widening, or a provisional limit's test): wait longer before the next.
      if (this.widened || !this.confirmed) this.gap = Math.min(MAX_WIDEN_GAP, this.gap * 2);
      this.confirmed = true;
      this.limit = count;
    }
    this.rolls = 0;
    this.verified = true;
    this.byProbe = false;
    this.sinceVerified = 0;
    this.beyondFrom = NEXT_SEND;
    this.probe = undefined;
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
    if (ticket === this.probe) {
      this.probe = undefined;
      this.verified = true; // the API's window did roll over: the rest may go
      this.byProbe = true;
      this.sinceVerified = this.used;
      this.beyondFrom = NEXT_SEND;
    }
    if (ticket >= this.epochTicket) this.accepted++;
    else if (this.limit !== undefined && ticket >= this.lateFrom && ticket < this.lateTo) this.limit++;
    // The API accepted more than the provisional limit in one window: the 429 was a one-off.
    if (this.limit === undefined || this.confirmed || this.accepted <= this.limit) return false;
    this.forget();
    return true;
  }

  /** Whether the next send is the probe of a window the estimate started (see above). */
  private probing(limit: number): boolean {
    return !this.verified && this.sinceVerified >= (this.widened ? limit - 1 : limit);
  }

  /**
   * Requests allowed now (Infinity when nothing was learned). The provisional limit allows one test beyond. A
   * probe, or a request past half a provisional limit, goes alone (see above): none while `inFlight` attempts
   * are unanswered, unless the last was sent PROBE_MS ago (they may hang). Answers take `rttMs`.
   */
  tokens(now: number, inFlight: number, rttMs: number): number {
    this.roll(now);
    const limit = this.limit;
    if (limit === undefined) return Infinity;
    const left = (this.confirmed ? limit : limit + 1) - this.used;
    // Alone: after what this window sent (what an earlier one sent was within its own count).
    const last = this.lastSentAt;
    if (left <= 0 || inFlight === 0 || last < this.start || now - last >= PROBE_MS) return left;
    if (this.probing(limit)) return 0;
    const half = Math.floor(limit / 2);
    if (this.confirmed || this.used < half) return left;
    // One at a time to the test, if twice that time fits in the part of the window surely the API's.
    return 2 * (limit + 2 - half) * rttMs <= this.windowMs - ROUNDING_MS ? 0 : left;
  }

  /** When no tokens are left: the window's end, or sooner when a probe waits for the attempts in flight. */
  blockedUntil(): number {
    const end = this.start + this.windowMs;
    const limit = this.limit;
    if (limit === undefined || this.used >= (this.confirmed ? limit : limit + 1)) return end;
    return Math.min(end, this.lastSentAt + PROBE_MS);
  }

  /** The window's end when a confirmed limit is spent in it (a pause worth telling); undefined otherwise. */
  spentUntil(): number | undefined {
    if (this.limit === undefined || !this.confirmed || this.used < this.limit) return undefined;
    return this.start + this.windowMs;
  }

  state(now: number): QuotaState | undefined {
    const tokens = this.tokens(now, 0, 0);
    if (this.limit === undefined) return undefined;
    return Object.freeze({ limit: this.limit, remaining: Math.max(0, tokens), resetAt: this.start + this.windowMs, source: '429' });
  }
}
