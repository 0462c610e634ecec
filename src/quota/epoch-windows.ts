import type { QuotaReport } from './report.js';

/**
 * Tightens epoch resets (`X-RateLimit-Reset`, whole seconds rounded up) by learning the window's length.
 *
 * Every report of a window carries the same rounded-up epoch, so within a window nothing narrows it: the
 * true reset lies anywhere in the second before it, and waiting for the stated one costs up to a second per
 * window (express-rate-limit's legacy headers, 4 s windows: 1.21× the physical limit). But a window that one of
 * our requests opened (its report says `remaining = limit − 1`) started when that request arrived — after it
 * was sent, before it was answered — and lasts the window's length W. So each such report bounds W:
 * `R − 1 s − answered < W ≤ R − sent`. The bounds of all windows so far intersect, and a window opened by a
 * request answered at `a` resets no later than `a + W_max`: never before the server's reset, and later than it
 * by at most the round trip plus what is left of the uncertainty. Bounds that contradict each other (the API's
 * windows are aligned to its clock, not opened by requests), or a 429 where the estimate had said go, switch
 * the estimate off for good; the stated reset is then used as is.
 *
 * The bounds alone leave a wait of about 1/(k+1) s after k windows, and a collection sees few windows. But
 * windows are set in whole seconds (`windowMs: 60_000`, an hour), and an interval `(low, high]` one second
 * long holds exactly one whole second. So until it is refuted the estimate takes the largest whole second in
 * the bounds: exact for such a window, never later than the bounds alone. It is a guess, and is checked like
 * any reset: one probe goes first, and if the server answers 429 the guess is dropped (the bounds stay): one
 * early probe at most, ever.
 */
export class EpochWindows {
  private low = 0;
  private high = Infinity;
  private off = false;
  private guessing = true;

  /** The reset to wait for in a window that `report` is the first news of (sent, answered: its request's times). */
  opened(report: QuotaReport, sentAt: number, answeredAt: number): number {
    if (this.off || !report.epochReset || report.limit === undefined || report.remaining !== report.limit - 1) return report.resetAt;
    const low = Math.max(this.low, report.resetAt - 1000 - answeredAt);
    const high = Math.min(this.high, report.resetAt - sentAt);
    if (low > high) {
      this.off = true;
      return report.resetAt;
    }
    this.low = low;
    this.high = high;
    return Math.min(report.resetAt, answeredAt + (this.guessing ? wholeSecondIn(low, high) : high));
  }

  /**
   * A 429 came while estimating: the estimate was early, or the windows are not what it assumes. The first
   * drops the whole-second guess; the next switches the estimate off.
   */
  refused(): void {
    if (this.guessing) this.guessing = false;
    else this.off = true;
  }
}

/** The largest whole second in `(low, high]`, or `high` when there is none. */
function wholeSecondIn(low: number, high: number): number {
  const second = Math.floor(high / 1000) * 1000;
  return second > low && second > 0 ? second : high;
}
