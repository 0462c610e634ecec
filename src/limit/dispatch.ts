import type Bottleneck from 'bottleneck';
import { abortReason, sleep } from '../util/sleep.js';
import { isClustered } from './cluster.js';
import { isConcurrencyOnly, type LimiterState } from './limiter.js';

/** How one attempt asks for a slot. */
export interface DispatchOptions {
  /** 0 (first) to 9. */
  readonly priority: number;
  readonly signal?: AbortSignal | undefined;
  /** Epoch ms before which the attempt must not start (a retry's backoff). */
  readonly notBefore?: number;
  /** ms after which a Redis-backed limiter frees the job's slot even if this process died. */
  readonly expiration?: number;
  /**
   * Asked before each request for a slot (the fleet's ledger): false waits for the pause gate, which the
   * callee closed, and asks again.
   */
  readonly admit?: ((signal?: AbortSignal) => Promise<boolean>) | undefined;
}

/** What one bottleneck job ended with; `again`: it gave its slot back unstarted because the gate closed. */
type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown } | { again: true };
const AGAIN = Object.freeze({ again: true as const });

/**
 * Runs one attempt through the limiter: after `notBefore`, once the pause gate is open, within the
 * limiter's limits. Abort rejects promptly at any stage and the attempt is then never started.
 */
export function dispatch<T>(limiter: Bottleneck, state: LimiterState, task: () => Promise<T>, options: DispatchOptions): Promise<T> {
  const { signal, priority } = options;
  const route = () => (isConcurrencyOnly(limiter) ? state.lane.run(task, priority, signal) : viaBottleneck(limiter, state, task, options));
  // Not async on the first attempt: a request that finds room pays no extra promise hop.
  return options.notBefore === undefined ? route() : sleep(options.notBefore - Date.now(), signal).then(route);
}

async function viaBottleneck<T>(limiter: Bottleneck, state: LimiterState, task: () => Promise<T>, options: DispatchOptions): Promise<T> {
  const { signal, priority, admit } = options;
  const clustered = isClustered(limiter);
  for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
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
          if (!state.gate.isOpen()) return AGAIN;
          // Another process's 429 may be stored in Redis but not yet heard over pub/sub: ask (one round trip in
          // the slot), so no process of the fleet sends once the pause is stored.
          if (clustered && !(await fleetOpen(state))) return AGAIN;
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
      await sleep(wait, signal);
      continue;
    }
    if ('again' in outcome) continue;
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Whether the fleet's stored pause lets a granted job go; closes the local gate when it does not. */
async function fleetOpen(state: LimiterState): Promise<boolean> {
  const answer = await state.ledger?.check(true);
  if (!answer || answer.go) return state.gate.isOpen();
  state.gate.close(Date.now() + answer.waitMs);
  return false;
}
