// A request that meets a down API before an attempt: turned away at once, or waiting at the gate with patience.
import type { InternalAxiosRequestConfig } from 'axios';
import type { Health } from '../control/health.js';
import { ApiDownError } from '../errors.js';

/**
 * One request's wait for a down API, made only when it meets one (a healthy request never allocates it). A request
 * without patience is turned away at once (≤ a few ms: a service answers its own callers), unless the probe slot
 * is free and it may be the probe; one with patience waits at the gate, and rejects with an ApiDownError when its
 * patience — counted from the first time it met the outage — runs out. The total waited counts across attempts.
 */
export class DownWait {
  private from: number | undefined;
  private waiting: { controller: AbortController; timer: ReturnType<typeof setTimeout>; off: () => void } | undefined;

  constructor(
    private readonly health: Health,
    private readonly patience: number,
    private readonly config: InternalAxiosRequestConfig,
    private readonly user: AbortSignal | undefined,
  ) {}

  /** Before an attempt queues: a rejection when it is turned away; else it may queue (waiting, or as the probe). */
  meet(now: number): Promise<never> | undefined {
    if (this.health.mayGo(now)) return undefined;
    if (this.patience === 0) return Promise.reject(this.apiDown(now));
    this.from ??= now;
    if (this.waiting) return undefined;
    const controller = new AbortController();
    const { user } = this;
    const forward = () => controller.abort(user?.reason);
    if (user?.aborted) forward();
    user?.addEventListener('abort', forward, { once: true });
    const timer = setTimeout(() => controller.abort(this.apiDown(Date.now())), Math.max(0, this.from + this.patience - now));
    this.waiting = { controller, timer, off: () => user?.removeEventListener('abort', forward) };
    return undefined;
  }

  /** While it waits: the signal that ends the wait (the caller's, or its patience running out). */
  get signal(): AbortSignal | undefined {
    return this.waiting?.controller.signal;
  }

  /** Stops waiting (an attempt went, or the request ended); the total waited still counts. */
  dispose(): void {
    const { waiting } = this;
    if (!waiting) return;
    this.waiting = undefined;
    clearTimeout(waiting.timer);
    waiting.off();
  }

  private apiDown(now: number): ApiDownError {
    const state = this.health.snapshot(now);
    return new ApiDownError(
      this.config,
      state.since ?? now,
      state.probes ?? 0,
      this.from === undefined ? 0 : now - this.from,
      state.lastError,
    );
  }
}
