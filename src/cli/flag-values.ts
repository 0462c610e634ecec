// The values a flag takes — whole numbers, durations, rates, dotted paths, headers — checked one by one: a value
// that cannot be used is a UsageError naming the flag and what it got.

/** A mistake in the command line: printed with the usage hint, exit code 2, never a stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Where a value is read from: a dotted path into the body, or a response header. */
export type Field = { readonly path: string } | { readonly header: string };

/** A whole number ≥ `min`. */
export const int = (flag: string, text: string | undefined, min: number): number | undefined => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min)
    throw new UsageError(`--${flag} must be a whole number ≥ ${min}, got "${text}"`);
  return n;
};

/** `header:<Name>` or a dotted path such as `meta.total`. */
export const field = (flag: string, text: string | undefined): Field | undefined => {
  if (text === undefined) return undefined;
  if (/^header:/i.test(text)) {
    const header = text.slice('header:'.length).trim();
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/i.test(header)) throw new UsageError(`--${flag} header:<Name> needs a header name, got "${text}"`);
    return { header };
  }
  return { path: dottedPath(flag, text, 'meta.total') };
};

/** A dotted path into a body (`data.items`, `updated_at`); `example` is the one the error names. */
export function dottedPath(flag: string, text: string, example: string): string {
  if (!/^[^.\s]+(\.[^.\s]+)*$/.test(text)) throw new UsageError(`--${flag} must be a dotted path such as ${example}, got "${text}"`);
  return text;
}

/** `-H 'Name: value'` lines, as an object. */
export function headers(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of list) {
    const at = line.indexOf(':');
    const name = line.slice(0, Math.max(0, at)).trim();
    if (at < 1 || !/^[!#$%&'*+.^_`|~0-9a-z-]+$/i.test(name)) throw new UsageError(`-H must be 'Name: value', got "${line}"`);
    out[name] = line.slice(at + 1).trim();
  }
  return out;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A duration: a number with a unit (`30s`, `10m`, `2h`, `500ms`); a bare number is ms. */
export function duration(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  const ms = match ? Number(match[1]) * (UNITS[(match[2] ?? 'ms').toLowerCase()] as number) : Number.NaN;
  if (!match || !Number.isFinite(ms) || ms > 2 ** 31 - 1)
    throw new UsageError(`--${flag} must be a duration such as 30s, 10m or 2h (0: none), got "${text}"`);
  return Math.round(ms);
}

/** Requests a second: `10`, `10/s`, `0.5/s`. */
export function rate(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*s)?\s*$/i.exec(text);
  const n = Number(match?.[1]);
  if (!match || !(n > 0)) throw new UsageError(`--rate must be requests a second such as 10/s, got "${text}"`);
  return n;
}

/** A URL's percent-decoded user or password (as written, when it is not well-formed). */
export function unescape(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
