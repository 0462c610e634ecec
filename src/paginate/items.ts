import type { AxiosResponse } from 'axios';

/** Where the default item reader looks, in this order, when the body is an object. */
export const ITEM_KEYS = ['items', 'data', 'results', 'records', 'value', 'entries', 'content', 'hits', 'list', 'rows', 'members'] as const;

/**
 * The default item reader: the body itself when it is an array, else the first array under
 * `items`, `data`, `results`, `records`, `value` (OData), `entries`, `content` (Spring), `hits`, `list`,
 * `rows`, `members` (Slack), or the one array in `hits` or `_embedded` (HAL). `undefined` when none is found.
 */
export function defaultItems<T>(response: AxiosResponse): T[] | undefined {
  const body: unknown = response.data;
  if (Array.isArray(body)) return body as T[];
  if (typeof body !== 'object' || body === null) return undefined;
  for (const key of ITEM_KEYS) {
    const value = (body as Record<string, unknown>)[key];
    if (Array.isArray(value)) return value as T[];
  }
  // Elasticsearch-style `hits.hits`, and HAL's `_embedded`, whose one array is named after the resource.
  for (const key of ['hits', '_embedded']) {
    const inner = (body as Record<string, unknown>)[key];
    if (typeof inner !== 'object' || inner === null) continue;
    const arrays = Object.values(inner).filter(Array.isArray);
    if (arrays.length === 1) return arrays[0] as T[];
  }
  return undefined;
}
