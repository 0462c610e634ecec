// Reading response headers, whoever built them: axios' AxiosHeaders (lower-case names, a `get()`), or the
// plain object a custom adapter returns (any case). The floor below retry/, quota/ and paginate/.

/** A header value as axios hands it over. */
export type HeaderValue = string | string[] | number | boolean | null | undefined;

/** First value of a possibly repeated header, as a trimmed string. */
export function headerText(value: HeaderValue): string | undefined {
  if (Array.isArray(value)) return headerText(value[0]);
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return text === '' ? undefined : text;
}

/** Reads a header from axios' AxiosHeaders or a plain object, case-insensitively. */
export function getHeader(headers: unknown, name: string): HeaderValue {
  if (headers === null || typeof headers !== 'object') return undefined;
  const getter = (headers as { get?: (n: string) => unknown }).get;
  if (typeof getter === 'function') return getter.call(headers, name) as HeaderValue;
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === lower) return value as HeaderValue;
  return undefined;
}
