import type Bottleneck from 'bottleneck';
import type { PauseGate } from '../limit/gate.js';

/** The part of bottleneck 2.19.5's Redis connection this module touches (private, version pinned). */
interface ConnectionView {
  __scriptArgs__?: (name: string, id: string, args: unknown[], cb: (err: Error | null, replies: unknown) => void) => unknown[];
  [PATCHED]?: true;
}

const PATCHED = Symbol('axios-steady.redis-errors');
const MESSAGE = 'axios-steady:pause:';

/** True for a limiter whose state lives in Redis (datastore 'redis'/'ioredis' or a shared connection). */
export function isClustered(limiter: Bottleneck): boolean {
  return limiter.datastore !== 'local';
}

/**
 * bottleneck recovers from lost keys (`SETTINGS_KEY_NOT_FOUND`) and a dropped client registration
 * (`UNKNOWN_CLIENT`) by comparing the Lua error's message — but Redis 7 prefixes script errors with
 * `ERR `, so the comparison fails and the limiter stays broken for good (bottleneck #205/#219). This strips
 * the prefix before bottleneck looks, on the connection (once, however many limiters share it).
 */
function repairRedis7Errors(limiter: Bottleneck): void {
  const connection = (limiter as unknown as { _store?: { connection?: ConnectionView } })._store?.connection;
  const original = connection?.__scriptArgs__;
  if (!connection || typeof original !== 'function' || connection[PATCHED]) return;
  connection.__scriptArgs__ = (name, id, args, cb) =>
    original.call(connection, name, id, args, (err, replies) => {
      if (err && /^ERR (SETTINGS_KEY_NOT_FOUND|UNKNOWN_CLIENT)\b/.test(err.message)) err.message = err.message.slice(4).trim();
      cb(err, replies);
    });
  connection[PATCHED] = true;
}

/**
 * Wires a Redis-backed limiter for a fleet: repairs bottleneck's Redis 7 recovery, and shares the pause
 * gate through bottleneck's own pub/sub channel — a 429 with Retry-After seen by one process pauses every
 * process of that limiter id. Called once per limiter (its listener lives as long as the limiter: bottleneck
 * has no way to remove one listener). Returns the function that broadcasts a local pause.
 */
export function joinFleet(limiter: Bottleneck, gate: PauseGate): (delayMs: number) => void {
  repairRedis7Errors(limiter);
  const onMessage = (message: string) => {
    if (typeof message !== 'string' || !message.startsWith(MESSAGE)) return;
    const delayMs = Number(message.slice(MESSAGE.length));
    // A delay, not a time: clocks differ between machines; arriving late only makes the pause longer.
    if (Number.isFinite(delayMs) && delayMs > 0 && delayMs <= 24 * 3600 * 1000) gate.close(Date.now() + delayMs);
  };
  limiter.on('message', onMessage);
  return (delayMs) => void limiter.publish(`${MESSAGE}${Math.ceil(delayMs)}`).catch(() => undefined);
}
