/** A page counts as slow after this many times the median time pages took (and at least MIN_SLOW_MS). */
const SLOW_FACTOR = 3;
const MIN_SLOW_MS = 50;
/** Page times kept for the median. */
const SAMPLES = 32;

/**
 * Planned pages 1…last, fetched ahead of the loop: up to `concurrency` in flight and up to `lookAhead` fetched
 * but not yet taken, so memory stays O(lookAhead × page). Pages are taken in order; a failed page rejects its
 * `take()`, and the walk then cancels what is still in flight.
 *
 * A page that takes far longer than the others (SLOW_FACTOR × the median) is usually not using the network:
 * it waits out a backoff after a 503 or a reset, or its attempt hangs until its timeout. Such a page stops
 * counting against `concurrency` (work stealing: another page starts in its slot, up to 2 × `concurrency`
 * launched), so one unlucky page does not leave a slot idle for seconds (bench P3). Only for an attached instance
 * (`steal`): its limiter still bounds what is on the network. A slow page of a plain instance may be a hung
 * request still holding its socket, and `concurrency` is then the only bound the API gets.
 * A page resting between two attempts (its retry's backoff, told through `rest`) is not using the network
 * either, and does not count while it rests. A slow page is only stolen from once a page launched after it has
 * been answered: when none has (the API answers nobody new: a black hole, an outage), another page launched would
 * only join it there.
 */
export class FetchWindow<P> {
  private launched = 0;
  private active = 0;
  /** Pages launched that are slow or resting: they do not count against `concurrency`. */
  private idle = 0;
  private readonly inflight = new Map<number, Promise<P>>();
  private readonly times: number[] = [];
  /** The latest start of a page that settled, and the slow pages waiting for a newer one to before they count. */
  private newestAnswered = 0;
  private readonly overdue = new Map<number, (settledStart: number) => void>();

  constructor(
    /** Fetches page `index`; calls `rest(ms)` whenever the page waits `ms` before its next attempt. */
    private readonly fetch: (index: number, rest: (ms: number) => void) => Promise<P>,
    private readonly last: number,
    private readonly concurrency: number,
    private readonly lookAhead: number,
    /** Whether a slow page stops counting against `concurrency` (an attached instance: its limiter bounds the network). */
    private readonly steal: boolean,
  ) {}

  /** Whether pages were launched and not taken (to be cancelled when the walk ends early). */
  get busy(): boolean {
    return this.inflight.size > 0;
  }

  /** Page `index`, once fetched; launches what the window allows meanwhile. */
  async take(index: number): Promise<P> {
    this.fill();
    const page = await (this.inflight.get(index) as Promise<P>);
    this.inflight.delete(index);
    this.fill();
    return page;
  }

  fill(): void {
    const cap = Math.min(this.concurrency + this.idle, 2 * this.concurrency);
    while (this.launched < this.last && this.active < cap && this.inflight.size < this.lookAhead) {
      this.active++;
      const started = performance.now();
      // A page stops counting against `concurrency` while it is slow, or while it rests between attempts.
      let slow = false;
      let resting = false;
      let rested = false;
      let restTimer: ReturnType<typeof setTimeout> | undefined;
      let counted = false;
      const recount = () => {
        const idle = slow || resting;
        if (idle === counted) return;
        counted = idle;
        this.idle += idle ? 1 : -1;
        if (idle) this.fill();
      };
      const page = this.fetch(++this.launched, (ms) => {
        resting = rested = true;
        clearTimeout(restTimer);
        restTimer = setTimeout(() => {
          resting = false;
          recount();
        }, ms);
        recount();
      });
      const slowAfter = this.steal ? this.slowAfter() : undefined;
      const launched = this.launched;
      const markSlow = () => {
        this.overdue.delete(launched);
        slow = true;
        recount();
      };
      const timer =
        slowAfter === undefined
          ? undefined
          : setTimeout(() => {
              if (this.newestAnswered > started) markSlow();
              else this.overdue.set(launched, (settledStart) => settledStart > started && markSlow());
            }, slowAfter);
      const settled = () => {
        clearTimeout(timer);
        clearTimeout(restTimer);
        this.overdue.delete(launched);
        this.newestAnswered = Math.max(this.newestAnswered, started);
        for (const mark of [...this.overdue.values()]) mark(started); // a newer page was answered: older overdue ones are slow
        this.active--;
        if (counted) this.idle--;
        if (!slow && !rested) this.record(performance.now() - started); // the time of a page that used the network throughout
        this.fill();
      };
      page.then(settled, settled);
      page.catch(() => undefined); // taken in order; never an unhandled rejection
      this.inflight.set(this.launched, page);
    }
  }

  private record(ms: number): void {
    this.times.push(ms);
    if (this.times.length > SAMPLES) this.times.shift();
  }

  /** When a page now launched counts as slow; undefined until a few pages have been timed. */
  private slowAfter(): number | undefined {
    if (this.times.length < 4) return undefined;
    const sorted = [...this.times].sort((a, b) => a - b);
    return Math.max(MIN_SLOW_MS, SLOW_FACTOR * (sorted[sorted.length >> 1] as number));
  }
}
