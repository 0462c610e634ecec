import type Bottleneck from 'bottleneck';
import { abortReason, sleep } from '../util/sleep.js';
import { isConcurrencyOnly, type LimiterState } from './limiter.js';

/** How one attempt asks for a slot. */
export interface DispatchOptions {
  /** 0 (first) to 9. */
  readonly priority: number;
  readonly signal?: AbortSignal | undefined;
  /** Epoch ms before which the attempt must not start (a retry's backoff). */
  readonly notBefore?: number;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

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

async function viaBottleneck<T>(
  limiter: Bottleneck,
  state: LimiterState,
  task: () => Promise<T>,
  { signal, priority }: DispatchOptions,
): Promise<T> {
  await state.gate.wait(signal);
  const job = limiter.schedule({ priority }, async (): Promise<Outcome<T>> => {
    try {
      if (signal?.aborted) throw abortReason(signal);
      // The gate may have closed while this job sat in bottleneck's queue; hold the slot until it opens.
      // Re-check after every wait, then start in the same tick, so no other job slips in between.
      while (!state.gate.isOpen()) await state.gate.wait(signal);
      return { ok: true, value: await task() };
    } catch (error) {
      // Settled, never thrown: a user's bottleneck "failed" listener must not turn this into a retry.
      return { ok: false, error };
    }
  });
  const outcome = signal ? await raceAbort(job, signal) : await job;
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
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
