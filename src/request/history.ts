import { isAxiosError } from 'axios';
import type { Attempt, SteadyInfo } from '../types.js';

// Info per request. axios puts the request's config on the response and on every error of the request,
// including errors made after the adapter (a JSON parse failure), and that config's `adapter` is the one
// attach() made for this request alone: the info rides on that function of ours, under a symbol, beside the
// config it answers for (a spread copy of the config shares the function, but is not that config). Nothing is
// written on axios' own objects, so no hidden class of theirs changes. Before: a non-enumerable property on the
// config, whose Object.defineProperty cost ~1.1–1.5 µs per request (bench/profile-per-request.ts); before that a
// WeakMap, whose table in old space kept every request's young objects through young GCs. The WeakMap remains
// for an error of the caller's own (a user callback threw it), which must not be written on. Symbol.for: a
// second copy of the package (ESM beside CJS) reads the same info.
const INFO = Symbol.for('axios-steady.info');
const OWNER = Symbol.for('axios-steady.info-owner');
const infos = new WeakMap<object, SteadyInfo>();

/** What carries a request's info: the adapter attach() made for it. */
export interface InfoCarrier {
  [INFO]?: SteadyInfo | Landed;
  [OWNER]?: object;
}

/**
 * The record of a request that succeeded at its first attempt — most requests — kept as two numbers and made
 * into a SteadyInfo only when someone asks (steadyInfo()): three objects fewer alive per request in flight.
 */
export class Landed {
  private info: SteadyInfo | undefined;
  constructor(
    private readonly status: number,
    private readonly elapsedMs: number,
  ) {}

  get(): SteadyInfo {
    return (this.info ??= {
      attempts: [{ attempt: 1, status: this.status, elapsedMs: this.elapsedMs }],
      retries: 0,
      elapsedMs: this.elapsedMs,
    });
  }
}

/** Records a first-attempt success on the request's own adapter. */
export function landed(carrier: InfoCarrier, config: object, status: number, elapsedMs: number): void {
  carrier[OWNER] = config;
  carrier[INFO] = new Landed(status, elapsedMs);
}

function read(target: object): SteadyInfo | undefined {
  const adapter = (target as { adapter?: unknown }).adapter as InfoCarrier | undefined;
  if (typeof adapter === 'function' && adapter[OWNER] === target) {
    const info = adapter[INFO] as SteadyInfo | Landed | undefined;
    return info === undefined ? undefined : info instanceof Landed ? info.get() : info;
  }
  return infos.get(target);
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
  /**
   * `carrier`: the request's own adapter; `config`: the request's config, the one its info answers for;
   * `started`: when the logical request began.
   */
  constructor(
    private readonly carrier: InfoCarrier,
    config: object,
    private readonly started: number = Date.now(),
  ) {
    carrier[OWNER] = config;
  }

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
  finish(stoppedBy?: SteadyInfo['stoppedBy'], also?: object, reason?: string): void {
    const info: { -readonly [K in keyof SteadyInfo]: SteadyInfo[K] } = {
      attempts: this.attempts,
      retries: Math.max(0, this.attempts.length - 1),
      elapsedMs: this.elapsed(),
    };
    if (this.hedges > 0) info.hedges = this.hedges;
    if (stoppedBy) info.stoppedBy = stoppedBy;
    if (reason) info.reason = reason;
    this.carrier[INFO] = info;
    if (also) infos.set(also, info); // an error of the caller's own: nothing is written onto it
  }
}
