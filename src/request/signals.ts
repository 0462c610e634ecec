import type { InternalAxiosRequestConfig } from 'axios';

/** The one signal every wait and attempt of a logical request listens to. */
export interface LinkedSignal {
  readonly signal: AbortSignal | undefined;
  /** The deadline fired. */
  expired(): boolean;
  /** The caller cancelled (signal or CancelToken). */
  canceled(): boolean;
  dispose(): void;
}

/** Links the caller's cancellation (signal or legacy CancelToken) and the deadline into one signal. */
export function linkSignals(config: InternalAxiosRequestConfig, deadline: number | undefined): LinkedSignal {
  const user = config.signal as AbortSignal | undefined;
  if (deadline === undefined && !config.cancelToken)
    return { signal: user, expired: () => false, canceled: () => user?.aborted === true, dispose: () => {} };
  const controller = new AbortController();
  let expired = false;
  const forward = () => controller.abort(user?.reason);
  if (user?.aborted) forward();
  user?.addEventListener?.('abort', forward, { once: true });
  void config.cancelToken?.promise.then((reason) => controller.abort(reason));
  const timer =
    deadline === undefined
      ? undefined
      : setTimeout(() => {
          expired = true;
          controller.abort(new Error('deadline'));
        }, deadline);
  return {
    signal: controller.signal,
    expired: () => expired,
    canceled: () => !expired && controller.signal.aborted,
    dispose: () => {
      clearTimeout(timer);
      user?.removeEventListener?.('abort', forward);
    },
  };
}
