/**
 * Who wants to know that a request is resting — waiting out a backoff between two attempts, using no
 * connection and no limiter slot — keyed by the request's own AbortSignal. The walk's FetchWindow listens
 * for its page requests, so a page waiting out a backoff stops holding one of the walk's `concurrency`
 * slots. Internal: the public options are unchanged, nothing is written onto the caller's objects, and a
 * WeakMap holds no signal alive.
 */
const listeners = new WeakMap<object, (ms: number) => void>();

/** Calls `listener(ms)` whenever the request whose signal is `signal` starts resting for `ms`. */
export function onRest(signal: AbortSignal, listener: (ms: number) => void): void {
  listeners.set(signal, listener);
}

/** The request with this signal rests for `ms` before its next attempt. */
export function resting(signal: unknown, ms: number): void {
  if (ms > 0 && typeof signal === 'object' && signal !== null) listeners.get(signal)?.(ms);
}
