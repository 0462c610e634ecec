import type Bottleneck from 'bottleneck';
import { RedisUnavailableError } from '../errors.js';
import { storeOf } from '../limit/bottleneck.js';

const PATCHED = Symbol('axios-steady.redis-errors');
const PAUSE = 'axios-steady:pause:';
const DOWN = 'axios-steady:down:';
const UP = 'axios-steady:up';

/** What a fleet's processes tell each other over bottleneck's pub/sub channel. */
export interface FleetMessages {
  /** Another process paused the fleet (a 429/503 named a delay). */
  readonly pause: (delayMs: number) => void;
  /** Another process found the API down; its next probe in `delayMs`. */
  readonly down: (delayMs: number) => void;
  /** The fleet's API is back. */
  readonly up: () => void;
}

/** How this process tells the others. */
export interface FleetVoice {
  pause(delayMs: number): void;
  down(delayMs: number): void;
  up(): void;
}

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
  const connection = storeOf(limiter)?.connection;
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
 * Wires a Redis-backed limiter for a fleet: repairs bottleneck's Redis 7 recovery, and shares pauses and the
 * API's health through bottleneck's own pub/sub channel — a 429 with Retry-After seen by one process pauses
 * every process of that limiter id, an outage one process found holds them all to its probes. Called once per
 * limiter (its listener lives as long as the limiter: bottleneck has no way to remove one listener). Returns
 * how this process tells the others.
 */
export function joinFleet(limiter: Bottleneck, heard: FleetMessages): FleetVoice {
  repairRedis7Errors(limiter);
  // Delays, not times: clocks differ between machines; arriving late only makes a wait longer.
  const delay = (text: string) => {
    const ms = Number(text);
    return Number.isFinite(ms) && ms >= 0 && ms <= 24 * 3600 * 1000 ? ms : undefined;
  };
  const onMessage = (message: string) => {
    if (typeof message !== 'string') return;
    if (message === UP) return heard.up();
    const [kind, ms] = message.startsWith(PAUSE)
      ? [PAUSE, delay(message.slice(PAUSE.length))]
      : message.startsWith(DOWN)
        ? [DOWN, delay(message.slice(DOWN.length))]
        : [];
    if (ms === undefined) return;
    if (kind === PAUSE && ms > 0) heard.pause(ms);
    if (kind === DOWN) heard.down(ms);
  };
  limiter.on('message', onMessage);
  const publish = (message: string) => void limiter.publish(message).catch(() => undefined);
  return {
    pause: (delayMs) => publish(`${PAUSE}${Math.ceil(delayMs)}`),
    down: (delayMs) => publish(`${DOWN}${Math.ceil(delayMs)}`),
    up: () => publish(UP),
  };
}

/**
 * How long a request waits for a Redis-backed limiter that does not answer (unreachable, not answering, or
 * gone mid-run) before it rejects: nothing hangs on Redis. Also each Redis command's timeout for the ioredis
 * clients axios-steady creates, so a server that accepts and never answers cannot hold a job for good.
 */
export const REDIS_TIMEOUT_MS = 5000;
export const REDIS_COMMAND_TIMEOUT_MS = 2000;

/** `host:port` of a Redis-backed limiter, for error messages. */
export function redisAddress(limiter: Bottleneck): string {
  const options = storeOf(limiter)?.clientOptions ?? {};
  return options.path ?? `${options.host ?? '127.0.0.1'}:${options.port ?? 6379}`;
}

/** The error a request rejects with when the limiter's Redis does not answer in time; `cause` is what Redis said. */
export function redisUnavailable(limiter: Bottleneck, waitedMs: number, cause?: unknown): RedisUnavailableError {
  return new RedisUnavailableError(redisAddress(limiter), limiter.id, waitedMs, cause);
}

/**
 * Resolves once the limiter's Redis connection is ready, or rejects with {@link redisUnavailable} after
 * `timeoutMs`. Once ready, later calls cost nothing.
 */
export function readiness(limiter: Bottleneck, timeoutMs: number): (signal?: AbortSignal) => Promise<void> {
  let ready = false;
  let last: unknown;
  limiter.on('error', (error: unknown) => (last = error)); // the connection's latest complaint, for the message
  const connected = limiter.ready().then(() => void (ready = true));
  connected.catch(() => undefined);
  return (signal) => {
    if (ready) return Promise.resolve();
    const started = Date.now();
    return new Promise<void>((resolve, reject) => {
      const done = (error?: unknown) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onAbort = () => done(signal?.reason ?? new Error('aborted'));
      const timer = setTimeout(() => done(redisUnavailable(limiter, timeoutMs, last)), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      // A handshake that failed (Redis went away while bottleneck set up) leaves the limiter unusable: say so.
      connected.then(
        () => done(),
        (error: unknown) => done(redisUnavailable(limiter, Date.now() - started, error)),
      );
    });
  };
}

/**
 * Bottleneck options for a limiter attach() creates: an ioredis client gets a per-command timeout unless the
 * caller set one (a Redis that accepts and never answers would otherwise hold a job for good).
 */
export function withRedisDefaults(input: unknown): unknown {
  const options = input as { datastore?: unknown; connection?: unknown; clientOptions?: Record<string, unknown> } | undefined;
  if (typeof options !== 'object' || options === null || options.datastore !== 'ioredis' || options.connection) return input;
  return { ...options, clientOptions: { commandTimeout: REDIS_COMMAND_TIMEOUT_MS, ...options.clientOptions } };
}
