import { invalid } from '../../util/validate.js';

/**
 * Checks a strategy factory's options once, when the strategy is made: an object, only known keys (so
 * `pageNumber({ totalpages })` is a TypeError, not a walk without a total), and functions where a reader
 * belongs (so `totalPages: 5` fails here, not after the first request with "read is not a function").
 */
export function checkFactory<O extends object>(
  name: string,
  options: O | undefined,
  keys: readonly string[],
  functions: readonly string[],
): Partial<O> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) invalid(name, options, 'an object of options');
  const record = options as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!keys.includes(key)) invalid(`${name}.${key}`, record[key], `one of the known options (${keys.join(', ')})`);
    if (functions.includes(key) && record[key] !== undefined && typeof record[key] !== 'function')
      invalid(`${name}.${key}`, record[key], 'a function');
  }
  return options;
}
