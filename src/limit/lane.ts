import type { PauseGate } from './gate.js';
import { abortReason } from '../util/sleep.js';

interface Entry {
  readonly run: () => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

/** Priorities as bottleneck numbers them: 0 runs first, 9 last. */
export const PRIORITIES = 10;

/**
 * A local lane: a priority semaphore in front of the pause gate, for limiters that cap only concurrency
 * (or nothing). bottleneck's local datastore yields to a timer on every job (~430 jobs/s); this lane costs
 * a counter when there is room and an array push when there is not. See docs/design.md, "limit/".
 */
export class Lane {
  running = 0;
  queued = 0;
  private readonly queues: Entry[][] = Array.from({ length: PRIORITIES }, () => []);
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly gate: PauseGate,
    /** Read on every dispatch, so `limiter.updateSettings({ maxConcurrent })` applies at once. */
    private readonly capacity: () => number | null,
  ) {
    gate.onChange(() => this.drain());
  }

  private hasRoom(): boolean {
    const cap = this.capacity();
    return cap === null || this.running < cap;
  }

  /**
   * Takes a slot at once when one is free, the gate is open and nobody queues ahead; the caller gives it back
   * with `release()`. For an attempt that needs no queue (see `Attempts.sendAtOnce`).
   */
  tryEnter(): boolean {
    if (this.queued !== 0 || !this.hasRoom() || !this.gate.isOpen()) return false;
    this.running++;
    return true;
  }

  /** Runs `task` once the gate is open and a slot is free; abort removes it from the queue. */
  run<T>(task: () => Promise<T>, priority: number, signal?: AbortSignal): Promise<T> {
    if (this.tryEnter()) return this.begin(task);
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<T>((resolve, reject) => {
      const entry: Entry = {
        run: () => this.start(task).then(resolve, reject),
        signal,
        onAbort: () => {
          const queue = this.queues[priority];
          const index = queue.indexOf(entry);
          if (index >= 0) {
            queue.splice(index, 1);
            if (--this.queued === 0) this.disarm(); // nothing left to wait for: keep no timer alive
          }
          reject(abortReason(signal as AbortSignal));
        },
      };
      signal?.addEventListener('abort', entry.onAbort, { once: true });
      this.queues[priority].push(entry);
      this.queued++;
      this.drain();
    });
  }

  // Not async: on the hot path every extra promise hop costs throughput (see bench/results).
  private start<T>(task: () => Promise<T>): Promise<T> {
    this.running++;
    return this.begin(task);
  }

  /** Runs `task` in a slot already taken, and gives the slot back when it settles. */
  private begin<T>(task: () => Promise<T>): Promise<T> {
    let promise: Promise<T>;
    try {
      promise = task();
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(this.release, this.release);
    return promise;
  }

  /** Gives back a slot taken by `tryEnter()` (or by a task `run()` started). */
  readonly release = (): void => {
    this.running--;
    if (this.queued > 0) this.drain();
  };

  private next(): Entry | undefined {
    for (const queue of this.queues) if (queue.length > 0) return queue.shift();
    return undefined;
  }

  private drain(): void {
    while (this.queued > 0 && this.hasRoom()) {
      // Checked before every start: a start may spend the quota's last token and close the gate.
      const now = Date.now();
      if (!this.gate.isOpen(now)) {
        // One timer for the whole lane, re-armed whenever the gate moves.
        this.disarm();
        this.timer = setTimeout(
          () => {
            this.timer = undefined;
            this.drain();
          },
          Math.max(1, this.gate.until - now),
        );
        return;
      }
      const entry = this.next() as Entry;
      this.queued--;
      entry.signal?.removeEventListener('abort', entry.onAbort);
      entry.run();
    }
    // Nothing left waiting: a timer armed for a wait that is over (a probe's lease, a pause that ended early)
    // would only keep the process alive.
    if (this.queued === 0) this.disarm();
  }

  private disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
