import Bottleneck from 'bottleneck';
import { invalid, MAX_TIMER_MS } from '../util/validate.js';
import type { LimiterOptions } from '../types.js';

/**
 * What axios-steady reads of bottleneck 2.19.5's private datastore — the one place it does (the version is
 * pinned exactly): its settings, its yield, and for a Redis datastore the connection and client options.
 */
export interface StoreView {
  readonly storeOptions?: {
    readonly maxConcurrent?: number | null;
    readonly minTime?: number | null;
    readonly reservoir?: number | null;
    readonly highWater?: number | null;
  };
  yieldLoop?: (t?: number) => Promise<void>;
  /** A Redis datastore: resolves once registered; its heartbeat timer is armed then. */
  readonly ready?: Promise<unknown>;
  heartbeat?: ReturnType<typeof setInterval>;
  /** A Redis datastore's connection: its client, and the callback bottleneck's scripts report through. */
  readonly connection?: {
    readonly client?: unknown;
    /** The connection's subscriber (bottleneck's pub/sub; axios-steady's wakes). */
    readonly subscriber?: unknown;
    __scriptArgs__?: (name: string, id: string, args: unknown[], cb: (err: Error | null, replies: unknown) => void) => unknown[];
    [key: symbol]: unknown;
  };
  readonly clientOptions?: { readonly host?: string; readonly port?: number; readonly path?: string };
}

/** The limiter's private datastore, as far as axios-steady reads it. */
export function storeOf(limiter: Bottleneck): StoreView | undefined {
  return (limiter as unknown as { _store?: StoreView })._store;
}

/** Set on a limiter while an `updateSettings()` is on its way (bottleneck applies settings a tick later). */
const UPDATING = Symbol('axios-steady.updating');
type Watched = Bottleneck & { [UPDATING]?: number };

/**
 * True when the limiter caps only concurrency (or nothing) in this process: then the local lane enforces
 * `maxConcurrent` itself and bottleneck's per-job cost is skipped. minTime, a reservoir, a highWater
 * strategy or a Redis datastore send every job through bottleneck. Read per dispatch, so
 * `updateSettings()` takes effect on the next request — even before bottleneck applied it: while an update
 * is on its way, every job goes through bottleneck, which queues it behind the update.
 */
export function isConcurrencyOnly(limiter: Bottleneck): boolean {
  const options = storeOf(limiter)?.storeOptions;
  if (limiter.datastore !== 'local' || options === undefined) return false;
  return !options.minTime && options.reservoir == null && options.highWater == null && !(limiter as Watched)[UPDATING];
}

/**
 * True for a Redis-backed limiter whose fleet-wide limits the ledger can enforce itself (maxConcurrent and
 * minTime): then bottleneck schedules none of our jobs through Redis. A reservoir or a highWater strategy keep
 * every job in bottleneck's Redis scripts (their semantics are bottleneck's), as does an update on its way.
 */
export function ledgerSchedules(limiter: Bottleneck): boolean {
  const options = storeOf(limiter)?.storeOptions;
  if (limiter.datastore === 'local' || options === undefined) return false;
  return options.reservoir == null && options.highWater == null && !(limiter as Watched)[UPDATING];
}

/**
 * Stops bottleneck's heartbeat on a Redis-backed limiter attach() created and whose jobs the ledger schedules:
 * every beat runs a script that scans every registered client and PUBLISHes the capacity to every process of
 * the limiter, so a fleet of N pays N² deliveries per interval for jobs bottleneck no longer schedules (measured
 * in bench P9: most of Redis' CPU at 25 processes). bottleneck's scripts still tidy its keys whenever they run.
 */
export function quietHeartbeat(limiter: Bottleneck): void {
  const store = storeOf(limiter);
  void store?.ready?.then(
    () => ledgerSchedules(limiter) && clearInterval(store.heartbeat),
    () => undefined,
  );
}

/**
 * Makes `updateSettings()` count while it is on its way (bottleneck applies it after a tick: `updateSettings({
 * minTime })` not awaited, then five GETs, sent all five at once through the lane). Once per limiter; the
 * wrapper delegates to the limiter's own method.
 */
export function watchSettings(limiter: Bottleneck): void {
  const watched = limiter as Watched;
  if (watched[UPDATING] !== undefined) return;
  watched[UPDATING] = 0;
  const update = limiter.updateSettings;
  const done = () => void (watched[UPDATING] = (watched[UPDATING] ?? 1) - 1);
  watched.updateSettings = function (this: Bottleneck, options?: Bottleneck.ConstructorOptions) {
    watched[UPDATING] = (watched[UPDATING] ?? 0) + 1;
    // Typed as returning the limiter; 2.19.5 returns a promise of it.
    const updated = update.call(this, options);
    Promise.resolve(updated).then(done, done);
    return updated;
  };
}

/** The live `maxConcurrent` of a limiter as this process knows it (null = unlimited). */
export function maxConcurrentOf(limiter: Bottleneck): number | null {
  return storeOf(limiter)?.storeOptions?.maxConcurrent ?? null;
}

function isBottleneck(value: unknown): value is Bottleneck {
  return (
    value instanceof Bottleneck ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as Bottleneck).schedule === 'function' &&
      typeof (value as Bottleneck).updateSettings === 'function')
  );
}

const isFn = (v: unknown) => typeof v === 'function';
const isBool = (v: unknown) => typeof v === 'boolean';
const isObj = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (min: number) => (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= min;
const ms = (min: number) => (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= MAX_TIMER_MS;
const STRATEGIES: unknown[] = Object.values(Bottleneck.strategy);

/**
 * The constructor options bottleneck 2.19.5 reads (its `*Defaults` tables), each with what it must be: a
 * typo or a wrong type is a TypeError here, not a limiter that quietly does something else. `null` is
 * bottleneck's "none" for the limits.
 */
const BOTTLENECK_OPTIONS: Record<string, [check: (v: unknown) => boolean, expected: string, nullable?: true]> = {
  maxConcurrent: [count(1), 'an integer ≥ 1 (or null: no cap)', true],
  minTime: [ms(0), 'a number of ms ≥ 0'],
  highWater: [count(0), 'an integer ≥ 0 (or null: no cap)', true],
  strategy: [(v) => STRATEGIES.includes(v as number), 'one of Bottleneck.strategy.LEAK, OVERFLOW, OVERFLOW_PRIORITY, BLOCK'],
  penalty: [ms(0), 'a number of ms ≥ 0 (or null)', true],
  reservoir: [count(0), 'an integer ≥ 0 (or null: no reservoir)', true],
  reservoirRefreshInterval: [ms(1), 'a number of ms ≥ 1 (or null)', true],
  reservoirRefreshAmount: [count(0), 'an integer ≥ 0 (or null)', true],
  reservoirIncreaseInterval: [ms(1), 'a number of ms ≥ 1 (or null)', true],
  reservoirIncreaseAmount: [count(0), 'an integer ≥ 0 (or null)', true],
  reservoirIncreaseMaximum: [count(0), 'an integer ≥ 0 (or null)', true],
  id: [(v) => typeof v === 'string' && v !== '', 'a non-empty string'],
  rejectOnDrop: [isBool, 'a boolean'],
  trackDoneStatus: [isBool, 'a boolean'],
  datastore: [(v) => v === 'local' || v === 'redis' || v === 'ioredis', '"local", "redis" or "ioredis"'],
  connection: [isObj, 'a Bottleneck.RedisConnection or Bottleneck.IORedisConnection', true],
  clientOptions: [isObj, 'an object of Redis client options'],
  clusterNodes: [Array.isArray, 'an array of Redis Cluster nodes', true],
  clearDatastore: [isBool, 'a boolean'],
  clientTimeout: [ms(1), 'a number of ms ≥ 1'],
  timeout: [ms(1), 'a number of ms ≥ 1 (or null)', true],
  heartbeatInterval: [ms(1), 'a number of ms ≥ 1'],
  Redis: [isFn, 'a Redis client constructor', true],
  Promise: [isFn, 'a Promise constructor'],
};

/**
 * The limiter for attach(): the caller's Bottleneck as is (`owned: false`), or a new one built from
 * options (`owned: true`, disconnected by detach()). Every option is validated here.
 */
export function createLimiter(input: unknown): { limiter: Bottleneck; owned: boolean } {
  if (input === undefined) return { limiter: fastLocal(new Bottleneck()), owned: true };
  if (isBottleneck(input)) return { limiter: input, owned: false };
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    invalid('limiter', input, 'bottleneck options or a Bottleneck instance');
  const options = input as Record<string, unknown>;
  for (const [key, value] of Object.entries(options)) {
    const rule = BOTTLENECK_OPTIONS[key];
    if (!rule) invalid(`limiter.${key}`, value, `a bottleneck option (${Object.keys(BOTTLENECK_OPTIONS).join(', ')})`);
    const [check, expected, nullable] = rule;
    if (value === undefined || (value === null && nullable)) continue;
    if (!check(value)) invalid(`limiter.${key}`, value, expected);
  }
  if ((options.reservoirRefreshInterval != null) !== (options.reservoirRefreshAmount != null))
    invalid('limiter.reservoirRefreshAmount', options.reservoirRefreshAmount, 'set together with reservoirRefreshInterval');
  return { limiter: fastLocal(new Bottleneck(options as LimiterOptions)), owned: true };
}

/**
 * bottleneck's local datastore awaits `setTimeout(0)` (≥ 1 ms) several times per job, which caps a
 * limiter near 430 jobs/s. For limiters we create, yield through a microtask instead: still asynchronous,
 * no timer. Measured with 5,000 no-op jobs at maxConcurrent 50: 422 → ~11,000 jobs/s.
 */
function fastLocal(limiter: Bottleneck): Bottleneck {
  const store = storeOf(limiter);
  if (limiter.datastore === 'local' && store && typeof store.yieldLoop === 'function') store.yieldLoop = () => Promise.resolve();
  return limiter;
}
