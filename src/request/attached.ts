import type { AxiosInstance } from 'axios';

/** The instances attach() governs now. A WeakSet: it keeps no instance alive. */
const attached = new WeakSet<AxiosInstance>();

/** Whether attach() governs `instance` now: its limiter, not a walk's window, bounds what is on the network. */
export function isAttached(instance: AxiosInstance): boolean {
  return attached.has(instance);
}

/** attach() took `instance` (true) or gave it back (false). */
export function markAttached(instance: AxiosInstance, on: boolean): void {
  if (on) attached.add(instance);
  else attached.delete(instance);
}
