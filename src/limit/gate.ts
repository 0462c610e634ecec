import { sleep } from '../util/sleep.js';

/**
 * The pause gate of one limiter: while closed, no attempt of that limiter is dispatched. A 429 or 503
 * with a server-named delay closes it until the named time; a later, longer pause extends it and a
 * shorter one never shortens it.
 */
export class PauseGate {
  #until = 0;
  readonly #listeners = new Set<() => void>();

  /** `hold` adds a second reason to stay closed (the quota tracker), asked on every check. */
  constructor(private readonly hold: (now?: number) => number | undefined = () => undefined) {}

  /** Epoch ms the gate stays closed until; 0 or a past time when open. */
  get until(): number {
    return Math.max(this.#until, this.hold() ?? 0);
  }

  isOpen(now?: number): boolean {
    // Fast when open and nothing holds: no clock read unless the gate was ever closed.
    if (this.#until !== 0 && (now ??= Date.now()) < this.#until) return false;
    return this.hold(now) === undefined;
  }

  /** Tells waiters something changed (a quota report arrived). */
  changed(): void {
    for (const listener of this.#listeners) listener();
  }

  /** Closes the gate until `until` (epoch ms). Returns false when it was already closed as long. */
  close(until: number): boolean {
    if (until <= this.#until) return false;
    this.#until = until;
    for (const listener of this.#listeners) listener();
    return true;
  }

  /** Notified whenever the gate's time changes. Returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves once the gate is open; rejects promptly when the signal aborts. */
  async wait(signal?: AbortSignal): Promise<void> {
    // Loop: the gate may be extended while we sleep.
    for (let now = Date.now(); !this.isOpen(now); now = Date.now()) await sleep(Math.max(1, this.until - now), signal);
  }
}
