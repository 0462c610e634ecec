import type Bottleneck from 'bottleneck';
import { abortReason, raceAbort, sleep } from '../util/sleep.js';
import type { PauseGate } from './gate.js';
import type { Lane } from './lane.js';
import { isConcurrencyOnly, ledgerSchedules, storeOf } from './bottleneck.js';

/** Where attempts are scheduled: one limiter, its pause gate and local lane. */
export interface Scheduler {
  readonly limiter: Bottleneck;
  readonly gate: PauseGate;
  readonly lane: Lane;
  /** Redis-backed: jobs carry an expiration and a failed schedule (Redis away) is asked again. */
  readonly clustered: boolean;
  /** Asked by a job once granted, before it sends: false gives the slot back and queues again. */
  readonly inSlot?: () => Promise<boolean>;
  /** A Redis-backed limiter's store: resolves once it answers, rejects when it does not in time. */
  readonly ready?: (signal?: AbortSignal) => Promise<void>;
  /** How long a store that keeps failing is asked again, and the error to reject with then. */
  readonly storeTimeoutMs?: number;
  readonly unavailable?: (waitedMs: number, cause: unknown) => Error;
}

/** How one attempt asks for a slot. */
export interface DispatchOptions {
  /** 0 (first) to 9. */
  readonly priority: number;
  readonly signal?: AbortSignal | undefined;
  /** ms after which a Redis-backed limiter frees the job's slot even if this process died. */
  readonly expiration?: number;
  /**
   * Asked before each request for a slot (the fleet's ledger): false waits for the pause gate, which the
   * callee closed, and asks again. `schedule`: the fleet's maxConcurrent and minTime, when the ledger enforces
   * them (bottleneck then does not schedule the job).
   */
  readonly admit?: ((signal?: AbortSignal, schedule?: { maxConcurrent: number; minTime: number }) => Promise<boolean>) | undefined;
  /** Gives back what `admit` granted, for an attempt that will not be sent after all. */
  readonly giveBack?: (() => void) | undefined;
}

/** What one bottleneck job ended with; `again`: it gave its slot back unstarted because the gate closed. */
type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown } | { again: true };
const AGAIN = Object.freeze({ again: true as const });

/**
 * Runs one attempt through the limiter (a retry's backoff is the caller's, slept before): once the pause
 * gate is open, within the limiter's limits. Abort rejects promptly at any stage and the attempt is then never started.
 */
export function dispatch<T>(state: Scheduler, task: () => Promise<T>, options: DispatchOptions): Promise<T> {
  const { signal, priority } = options;
  return isConcurrencyOnly(state.limiter)
    ? state.lane.run(task, priority, signal)
    : options.admit && ledgerSchedules(state.limiter)
      ? viaLedger(state, task, options)
      : viaBottleneck(state, task, options);
}

/**
 * A Redis-backed limiter whose limits the fleet's ledger enforces (maxConcurrent, minTime; see
 * fleet/ledger.ts): the local lane orders this process' attempts by priority, and one ledger grant per attempt
 * is the fleet's slot — bottleneck's per-job Redis scripts (5–8 round trips an attempt) are not run.
 */
function viaLedger<T>(state: Scheduler, task: () => Promise<T>, options: DispatchOptions): Promise<T> {
  const { signal, priority, admit, giveBack } = options;
  const limiter = state.limiter;
  const granted = async (): Promise<T> => {
    for (;;) {
      if (state.ready) await state.ready(signal);
      await state.gate.wait(signal);
      const settings = storeOf(limiter)?.storeOptions;
      const schedule = { maxConcurrent: settings?.maxConcurrent ?? 0, minTime: settings?.minTime ?? 0 };
      if (admit && !(await admit(signal, schedule))) continue;
      if (signal?.aborted) {
        giveBack?.();
        throw abortReason(signal);
      }
      // The gate closed while the grant was on its way or its start was reserved: given back, asked again.
      if (!state.gate.isOpen()) {
        giveBack?.();
        continue;
      }
      return task();
    }
  };
  return state.lane.run(granted, priority, signal);
}

async function viaBottleneck<T>(state: Scheduler, task: () => Promise<T>, options: DispatchOptions): Promise<T> {
  const { signal, priority, admit } = options;
  const { limiter, clustered } = state;
  let failingSince: number | undefined;
  for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
    if (state.ready) await state.ready(signal);
    await state.gate.wait(signal);
    if (admit && !(await admit(signal))) continue;
    if (signal?.aborted) throw abortReason(signal);
    let running: Promise<T> | undefined;
    const job = limiter.schedule(
      { priority, ...(clustered && options.expiration && { expiration: options.expiration }) },
      async (): Promise<Outcome<T>> => {
        try {
          if (signal?.aborted) throw abortReason(signal);
          // The gate may have closed while this job sat in bottleneck's queue: give the slot back and queue
          // again once it opens, rather than hold it — held slots would all start at the same instant when the
          // gate opens (ignoring minTime), and a Redis-backed job would expire while it waits.
          if (!state.gate.isOpen() || (state.inSlot && !(await state.inSlot()))) return AGAIN;
          running = task();
          return { ok: true, value: await running };
        } catch (error) {
          // Settled, never thrown: a user's bottleneck "failed" listener must not turn this into a retry.
          return { ok: false, error };
        }
      },
    );
    let outcome: Outcome<T>;
    try {
      outcome = signal ? await raceAbort(job, signal) : await job;
    } catch (error) {
      if (signal?.aborted) throw error;
      // The attempt started and bottleneck gave up on it (its expiration): the attempt's own result counts.
      if (running) return running;
      // The limiter failed before the attempt was sent (Redis restarting, keys lost): nothing reached the
      // API, so asking the limiter again cannot send anything twice. Plain limiter errors are not retried.
      if (!clustered) throw error;
      failingSince ??= Date.now();
      const waited = Date.now() - failingSince;
      if (state.unavailable && waited + wait > (state.storeTimeoutMs ?? Infinity)) throw state.unavailable(waited, error);
      await sleep(wait, signal);
      continue;
    }
    if ('again' in outcome) continue;
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }
}
