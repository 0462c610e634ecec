import type { InternalAxiosRequestConfig } from 'axios';

/**
 * The one signal every wait and attempt of a logical request listens to: the caller's cancellation (signal or
 * legacy CancelToken) and the deadline, linked. Without a deadline or a CancelToken it is the caller's own
 * signal (or none), and nothing is allocated but this object: most requests have neither.
 */
export class LinkedSignal {
  readonly signal: AbortSignal | undefined;
  private deadlineFired = false;
  private readonly user: AbortSignal | undefined;
  private readonly forward: (() => void) | undefined;
  private readonly timer: ReturnType<typeof setTimeout> | undefined;

  constructor(config: InternalAxiosRequestConfig, deadline: number | undefined) {
    const user = config.signal as AbortSignal | undefined;
    this.user = user;
    if (deadline === undefined && !config.cancelToken) {
      this.signal = user;
      return;
    }
    const controller = new AbortController();
    this.signal = controller.signal;
    const forward = () => controller.abort(user?.reason);
    this.forward = forward;
    if (user?.aborted) forward();
    user?.addEventListener?.('abort', forward, { once: true });
    void config.cancelToken?.promise.then((reason) => controller.abort(reason));
    if (deadline !== undefined)
      this.timer = setTimeout(() => {
        this.deadlineFired = true;
        controller.abort(new Error('deadline'));
      }, deadline);
  }

  /** The deadline fired. */
  expired(): boolean {
    return this.deadlineFired;
  }

  /** The caller cancelled (signal or CancelToken). */
  canceled(): boolean {
    return !this.deadlineFired && this.signal?.aborted === true;
  }

  dispose(): void {
    if (this.forward === undefined) return;
    clearTimeout(this.timer);
    this.user?.removeEventListener?.('abort', this.forward);
  }
}
