/**
 * What this limiter itself sent in the last window, for sliding-window limiters. A sliding log frees each slot
 * one window after the request that took it, so after a "reset" only the oldest slots are back and sending the
 * whole quota at once earns 429s, while waiting for the next rounded-up reset wastes up to a second a slot.
 * With the window length from the API's policy (`w=`), a slot is surely free one window after its request was
 * *answered* (it arrived at the server before that): the log keeps those answer times, and `count()` is what
 * may still hold a slot. Only used once a reset was seen to return part of the quota (see QuotaTracker).
 */
export class OwnLog {
  /** Window length from the API's policy, once one stated it. */
  windowMs: number | undefined;
  /** Set when a reset returned only part of the quota: the API's window slides. */
  sliding = false;
  private others = 0;
  private othersUntil = 0;
  private readonly answered: number[] = [];
  private head = 0;

  /** An attempt was answered (not refused) at `now`. */
  record(now: number): void {
    if (this.windowMs === undefined) return;
    this.answered.push(now);
    this.trim(now);
  }

  /**
   * Slots the API counted beyond this log at `now` (another client of the same key): held back too, for one
   * window at most, since each of them leaves within a window of that report.
   */
  holdOthers(slots: number, now: number): void {
    this.others = slots;
    this.othersUntil = now + (this.windowMs ?? 0);
  }

  /** Answered requests of this log that may still hold a slot at `now`. */
  count(now: number): number {
    this.trim(now);
    return this.answered.length - this.head;
  }

  /** Slots that may still be held at `now`: this log's, and others' from the last report. */
  held(now: number): number {
    return this.count(now) + (now < this.othersUntil ? this.others : 0);
  }

  /** When the next held slot frees; `now` when none is held. */
  nextFree(now: number): number {
    this.trim(now);
    const own = this.head < this.answered.length ? (this.answered[this.head] as number) + (this.windowMs ?? 0) : Infinity;
    const others = now < this.othersUntil && this.others > 0 ? this.othersUntil : Infinity;
    const next = Math.min(own, others);
    return next === Infinity ? now : next;
  }

  private trim(now: number): void {
    const windowMs = this.windowMs ?? 0;
    while (this.head < this.answered.length && (this.answered[this.head] as number) + windowMs <= now) this.head++;
    if (this.head > 1024 && this.head * 2 > this.answered.length) {
      this.answered.splice(0, this.head);
      this.head = 0;
    }
  }
}
