// The one way options are checked, everywhere: a TypeError naming the option's path, the value and its type,
// and what it must be. Unknown keys are errors too ("it doesn't retry" is usually a typo).

import { optionError } from '../errors.js';

/** The longest delay a timer holds (2³¹ − 1 ms, about 24.8 days); longer ones fire at once in Node. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

function describe(value: unknown): string {
  if (typeof value === 'string') return `"${value}" (string)`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number' && !Number.isFinite(value)) return `${value} (number)`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return `${text} (${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value})`;
}

/** Throws the one kind of error bad options produce: a TypeError naming option, value and type. */
export function invalid(path: string, value: unknown, expected: string): never {
  throw optionError(`option "${path}" must be ${expected}, got ${describe(value)}`);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function checkKeys(path: string, input: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(input)) {
    if (!known.includes(key)) invalid(`${path}.${key}`, input[key], `one of the known options (${known.join(', ')})`);
  }
}

/** A finite number ≥ min; `integer` for counts. */
export function numberOption(path: string, value: unknown, min: number, integer = false): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && (!integer || Number.isInteger(value));
  if (!ok) invalid(path, value, `a finite ${integer ? 'integer' : 'number'} ≥ ${min}`);
  return value as number;
}

export function functionOption<F>(path: string, value: unknown): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') invalid(path, value, 'a function');
  return value as F;
}

export function listOption<T>(path: string, value: unknown, check: (item: unknown) => item is T, what: string): T[] {
  if (!Array.isArray(value) || !value.every(check)) invalid(path, value, `an array of ${what}`);
  return value as T[];
}

/** A duration in ms that a timer can hold (≤ 2³¹ − 1): longer ones would fire at once. */
export function durationOption(path: string, value: unknown, min: number): number {
  const ms = numberOption(path, value, min);
  if (ms > MAX_TIMER_MS) invalid(path, value, `at most ${MAX_TIMER_MS} ms (about 24.8 days: what a timer can hold)`);
  return ms;
}
