// Incremental runs: ask only for what changed since the last complete run — a query parameter built from the
// largest cursor value the last run saw (e.g. `updated_at`), minus a lookback margin for clocks and writes in
// flight — and merge the answer into the last result by primary key: changed items replaced where they were,
// new ones added at the end, each key once. What an API deletes is not listed by a filter like this one: an
// incremental result keeps deleted items until a full run (conditional requests make that one cheap).
import { invalid, isPlainObject, numberOption } from '../util/validate.js';
import type { CollectInfo, PageRequest } from './types.js';

export interface SinceOptions<T> {
  /** The items of the last complete run: what the changes are merged into. */
  readonly previous: readonly T[];
  /** Where an item's cursor value is (a dotted path): `updated_at`, `meta.modified`. Numbers or ISO dates. */
  readonly field: string;
  /** The query parameter that asks for items whose field is at least a value: `updated_at_gte`, `since`. */
  readonly param: string;
  /** Where an item's primary key is (a dotted path): `id`. */
  readonly key: string;
  /** How far before the largest value seen to ask from: ms for dates, the field's own unit for numbers. Default 0. */
  readonly lookback?: number;
}

/** What an incremental run did, beside the walk's own summary. */
export interface SinceInfo extends CollectInfo {
  /** The value sent as `param`; undefined when there was nothing to go on (a full run). */
  readonly since: string | number | undefined;
  /** Items whose key was known and whose content differs. */
  readonly changed: number;
  /** Items whose key was not known. */
  readonly added: number;
  /** Items sent again unchanged (the lookback's overlap). */
  readonly unchanged: number;
}

const at = (path: string) => (item: unknown) =>
  path.split('.').reduce<unknown>((value, name) => (isPlainObject(value) ? value[name] : undefined), item);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** The largest cursor value among the items (numbers, ISO dates, or else strings in order); undefined if none has one. */
export function largest(items: readonly unknown[], field: string): string | number | undefined {
  const read = at(field);
  let best: string | number | undefined;
  let bestRank = -Infinity;
  for (const item of items) {
    const value = read(item);
    if (typeof value === 'number' && Number.isFinite(value)) {
      if (best === undefined || value > bestRank) [best, bestRank] = [value, value];
    } else if (typeof value === 'string' && value !== '') {
      const rank = ISO_DATE.test(value) ? Date.parse(value) : NaN;
      if (best === undefined || (Number.isNaN(rank) ? typeof best === 'string' && value > best : rank > bestRank))
        [best, bestRank] = [value, Number.isNaN(rank) ? bestRank : rank];
    }
  }
  return best;
}

/** `value` minus the lookback: a number less, a date earlier (written as it was, with or without fractions). */
export function lookedBack(value: string | number, lookback: number): string | number {
  if (lookback === 0) return value;
  if (typeof value === 'number') return value - lookback;
  if (!ISO_DATE.test(value))
    throw new TypeError(`axios-steady: a lookback needs numbers or ISO dates in the field, got ${JSON.stringify(value)}`);
  const iso = new Date(Date.parse(value) - lookback).toISOString();
  return /\.\d+/.test(value) ? iso : iso.replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Merges what changed into the last result by key: an item whose key is known replaces it where it was, a new
 * key is added at the end (in the order the API sent it), each key once (the last copy sent wins).
 */
export function mergeByKey<T>(
  previous: readonly T[],
  changes: readonly T[],
  key: string,
): { items: T[]; changed: number; added: number; unchanged: number } {
  const read = at(key);
  const keyOf = (item: T) => {
    const value = read(item);
    if (typeof value !== 'string' && typeof value !== 'number')
      throw new TypeError(
        `axios-steady: an item has no key at "${key}" (got ${JSON.stringify(value)}): ${JSON.stringify(item).slice(0, 120)}`,
      );
    return `${typeof value}:${value}`;
  };
  const items: T[] = [];
  const where = new Map<string, number>();
  for (const item of previous) {
    const k = keyOf(item);
    if (where.has(k)) continue;
    where.set(k, items.length);
    items.push(item);
  }
  const known = where.size;
  let changed = 0;
  let unchanged = 0;
  const touched = new Set<string>();
  for (const item of changes) {
    const k = keyOf(item);
    const index = where.get(k);
    if (index === undefined) {
      where.set(k, items.length);
      items.push(item);
      touched.add(k);
      continue;
    }
    if (index < known && !touched.has(k)) {
      if (JSON.stringify(items[index]) === JSON.stringify(item)) unchanged++;
      else changed++;
    }
    touched.add(k);
    items[index] = item;
  }
  return { items, changed, added: items.length - known, unchanged };
}

function sinceOptions<T>(value: unknown): Required<SinceOptions<T>> {
  if (!isPlainObject(value)) invalid('since', value, 'an object: { previous, field, param, key, lookback? }');
  const o = value as Partial<SinceOptions<T>>;
  if (!Array.isArray(o.previous)) invalid('since.previous', o.previous, 'an array (the items of the last complete run; [] for none)');
  for (const name of ['field', 'param', 'key'] as const)
    if (typeof o[name] !== 'string' || o[name] === '') invalid(`since.${name}`, o[name], 'a non-empty string');
  const lookback = o.lookback === undefined ? 0 : numberOption('since.lookback', o.lookback, 0);
  return { previous: o.previous, field: o.field as string, param: o.param as string, key: o.key as string, lookback };
}

/** The incremental run's first request: the target with `param` set from the last result (none for a first run). */
export function sinceRequest<T>(
  target: string | PageRequest,
  incremental: SinceOptions<T>,
): { request: PageRequest; from: string | number | undefined; o: Required<SinceOptions<T>> } {
  const o = sinceOptions<T>(incremental);
  const seen = largest(o.previous, o.field);
  const from = seen === undefined ? undefined : lookedBack(seen, o.lookback);
  const first: PageRequest = typeof target === 'string' ? { url: target } : target;
  return { request: from === undefined ? first : { ...first, params: { ...first.params, [o.param]: from } }, from, o };
}
