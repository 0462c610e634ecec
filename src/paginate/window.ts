/**
 * Planned pages 1…last, fetched ahead of the loop: up to `concurrency` in flight and up to `lookAhead` fetched
 * but not yet taken, so a page waiting out a backoff does not stall the others and memory stays
 * O(lookAhead × page). Pages are taken in order; a failed page rejects its `take()`, and the walk then cancels
 * what is still in flight.
 */
export class FetchWindow<P> {
  private launched = 0;
  private active = 0;
  private readonly inflight = new Map<number, Promise<P>>();

  constructor(
    private readonly fetch: (index: number) => Promise<P>,
    private readonly last: number,
    private readonly concurrency: number,
    private readonly lookAhead: number,
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
    while (this.launched < this.last && this.active < this.concurrency && this.inflight.size < this.lookAhead) {
      this.active++;
      const page = this.fetch(++this.launched);
      const settled = () => {
        this.active--;
        this.fill();
      };
      page.then(settled, settled);
      page.catch(() => undefined); // taken in order; never an unhandled rejection
      this.inflight.set(this.launched, page);
    }
  }
}
