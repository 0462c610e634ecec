import { isAxiosError } from 'axios';
import type { Attempt, SteadyInfo } from '../types.js';

// Info per request config. axios puts that config on the response and on every error of the request,
// including errors made after the adapter (a JSON parse failure), so one entry serves all of them. The config
// is axios' own merged copy, not the caller's object; the info rides on it as a non-enumerable symbol-keyed
// property (invisible to JSON, spread, Object.keys, and not copied when the config is sent again). A WeakMap
// did the same until bench P1 showed its cost: its table lives in old space, so every entry pointed from old
// to young objects and kept them through young GCs (with the network taken out, full GCs per 200,000 requests
// 8 → 2, young-GC time 2.26 → 1.58 ms per 1,000; bare axios 1.1–1.3). The WeakMap remains for what must not or
// cannot take a property (an error of the caller's own, a frozen config). Symbol.for: a second copy of the
// package (ESM beside CJS) reads the same info.
const INFO = Symbol.for('axios-steady.info');
const infos = new WeakMap<object, SteadyInfo>();

function publish(target: object, info: SteadyInfo): void {
  if (Object.isExtensible(target)) Object.defineProperty(target, INFO, { value: info, writable: true, configurable: true });
  else infos.set(target, info);
}

function read(target: object): SteadyInfo | undefined {
  return (target as { [INFO]?: SteadyInfo })[INFO] ?? infos.get(target);
}

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
  return (typeof config === 'object' && config !== null ? read(config) : undefined) ?? read(target);
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
    publish(this.config, info);
    if (also) infos.set(also, info); // an error of the caller's own: nothing is written onto it
  }
}
