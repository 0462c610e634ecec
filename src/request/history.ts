import { isAxiosError } from 'axios';
import type { Attempt, SteadyInfo } from '../types.js';

// Info per request config. axios puts that config on the response and on every error of the request,
// including errors made after the adapter (a JSON parse failure), so one WeakMap entry serves all of them
// and nothing is written onto the caller's objects. A WeakMap holds no request alive.
const infos = new WeakMap<object, SteadyInfo>();

/**
 * What axios-steady did for the request behind a response or an error: attempts, retries, why it stopped.
 * `undefined` for anything axios-steady did not handle. An error a user callback threw carries it too.
 *
 * @example
 * try { await api.get('/x'); } catch (error) { console.log(steadyInfo(error)?.attempts); }
 */
export function steadyInfo(target: unknown): SteadyInfo | undefined {
  if (typeof target !== 'object' || target === null) return undefined;
  const config = (target as { config?: unknown }).config;
  return (typeof config === 'object' && config !== null ? infos.get(config) : undefined) ?? infos.get(target);
}

/** The attempts of one logical request, as they happen; `finish()` publishes them for steadyInfo(). */
export class History {
  readonly attempts: Attempt[] = [];
  /** Attempts handed to the transport (an attempt cut by a deadline or cancel was still sent). */
  sent = 0;
  /** Extra copies hedging sent. */
  hedges = 0;
  private readonly started = Date.now();

  constructor(private readonly config: object) {}

  /** A failed attempt; only one that was sent is recorded. */
  failed(attempt: number, error: unknown): void {
    if (this.attempts.length >= this.sent) return;
    const e = error as { response?: { status?: number }; code?: string; message?: string };
    const status = isAxiosError(error) ? e.response?.status : undefined;
    this.attempts.push({
      attempt,
      ...(status !== undefined && { status }),
      ...(typeof e?.code === 'string' && { code: e.code }),
      ...(typeof e?.message === 'string' && { message: e.message }),
      elapsedMs: this.elapsed(),
    });
  }

  succeeded(attempt: number, status: number): void {
    this.attempts.push({ attempt, status, elapsedMs: this.elapsed() });
  }

  /** The wait before the next attempt, on the last one recorded. */
  waited(delayMs: number): void {
    const last = this.attempts.length - 1;
    if (last >= 0) this.attempts[last] = { ...this.attempts[last], delayMs };
  }

  elapsed(): number {
    return Date.now() - this.started;
  }

  /** Publishes what happened, for the request's config and for `also` (an error that has no config). */
  finish(stoppedBy?: SteadyInfo['stoppedBy'], also?: object): void {
    const info: { -readonly [K in keyof SteadyInfo]: SteadyInfo[K] } = {
      attempts: this.attempts,
      retries: Math.max(0, this.attempts.length - 1),
      elapsedMs: this.elapsed(),
    };
    if (this.hedges > 0) info.hedges = this.hedges;
    if (stoppedBy) info.stoppedBy = stoppedBy;
    infos.set(this.config, info);
    if (also) infos.set(also, info);
  }
}
