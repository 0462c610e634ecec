import { abortReason } from '../util/sleep.js';

/**
 * The pause gate of one limiter: while closed, no attempt of that limiter is dispatched. A 429 or 503
 * with a server-named delay closes it until the named time; a later, longer pause extends it and a
 * shorter one never shortens it.
 */
export class PauseGate {
  private closedUntil = 0;
  private readonly listeners = new Set<() => void>();

  /** `hold` adds a second reason to stay closed (the quota tracker), asked on every check. */
  constructor(private readonly hold: (now?: number) => number | undefined = () => undefined) {}

  /** Epoch ms the gate stays closed until; 0 or a past time when open. */
  get until(): number {
    return Math.max(this.closedUntil, this.hold() ?? 0);
  }

  /** Whether a pause (not the quota) holds the gate at `now`. */
  paused(now: number = Date.now()): boolean {
    return now < this.closedUntil;
  }

  isOpen(now?: number): boolean {
    // Fast when open and nothing holds: no clock read unless the gate was ever closed.
    if (this.closedUntil !== 0 && (now ??= Date.now()) < this.closedUntil) return false;
    return this.hold(now) === undefined;
  }

  /** Tells waiters something changed (a quota report arrived). */
  changed(): void {
    for (const listener of this.listeners) listener();
  }

  /** Closes the gate until `until` (epoch ms). Returns false when it was already closed as long. */
  close(until: number): boolean {
    if (until <= this.closedUntil) return false;
    this.closedUntil = until;
    for (const listener of this.listeners) listener();
    return true;
  }

  /** Notified whenever the gate's time changes. Returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the gate is open; rejects promptly when the signal aborts. */
  async wait(signal?: AbortSignal): Promise<void> {
    // Loop: the gate may be extended while we sleep, or opened early (a probe's answer came back).
    for (let now = Date.now(); !this.isOpen(now); now = Date.now()) await this.nextChange(Math.max(1, this.until - now), signal);
  }

  /** Resolves after `ms` or at the next change, whichever comes first; the timer and listeners are removed. */
  private nextChange(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise((resolve, reject) => {
      const settle = (error?: unknown) => {
        clearTimeout(timer);
        off();
        signal?.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onAbort = () => settle(abortReason(signal as AbortSignal));
      const timer = setTimeout(() => settle(), ms);
      const off = this.onChange(() => settle());
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
