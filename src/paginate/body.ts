// Reading a page's body: where its items are, numbers and paths in it, and a body that came back as text.
import type { AxiosResponse } from 'axios';
import { getHeader, headerText } from '../http/headers.js';

type Body = Record<string, unknown>;

const isObject = (value: unknown): value is Body => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A whole number from a number or a numeric string (headers are strings); else undefined. */
export function wholeNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/** Reads a dotted path (`links.next`, `_links.next.href`) from the body; a key may hold a dot itself (`@odata.nextLink`). */
export const readPath =
  (path: string) =>
  (response: AxiosResponse): unknown => {
    const body = response.data as Body | null;
    if (isObject(body) && path in body) return body[path];
    return path.split('.').reduce<unknown>((value, key) => (isObject(value) ? value[key] : undefined), body);
  };

/** A finite, non-negative integer from an API's total field, or undefined when it states none. */
export function readTotal(read: ((response: AxiosResponse) => unknown) | undefined, response: AxiosResponse): number | undefined {
  if (!read) return undefined;
  const value = read(response);
  if (value === undefined || value === null) return undefined;
  // Headers are strings: "237" is a total. Anything else that is not a whole number is a mistake, not "no total".
  const total = wholeNumber(value);
  if (total === undefined)
    throw new TypeError(`axios-steady: a total must be a whole number (or a numeric string), got ${JSON.stringify(value)}`);
  return total;
}

/** Where the default item reader looks, in this order, when the body is an object. */
export const ITEM_KEYS = ['items', 'data', 'results', 'records', 'value', 'entries', 'content', 'hits', 'list', 'rows', 'members'] as const;

/**
 * The default item reader: the body itself when it is an array, else the first array under `items`, `data`,
 * `results`, `records`, `value` (OData), `entries`, `content` (Spring), `hits`, `list`, `rows`, `members`
 * (Slack), or the one array in `hits` or `_embedded` (HAL), or — when the body holds exactly one array — that
 * one (GitHub's `{ total_count, repositories: [...] }`, `workflow_runs`, `check_runs`…). `undefined` when none
 * is found.
 */
export function defaultItems<T>(response: AxiosResponse): T[] | undefined {
  const body: unknown = response.data;
  if (Array.isArray(body)) return body as T[];
  if (!isObject(body)) return undefined;
  for (const key of ITEM_KEYS) {
    const value = body[key];
    if (Array.isArray(value)) return value as T[];
  }
  for (const key of ['hits', '_embedded']) {
    const inner = body[key];
    if (!isObject(inner)) continue;
    const arrays = Object.values(inner).filter(Array.isArray);
    if (arrays.length === 1) return arrays[0] as T[];
  }
  const arrays = Object.values(body).filter(Array.isArray);
  return arrays.length === 1 ? (arrays[0] as T[]) : undefined;
}

const JSON_TYPE = /[/+]json\b/i;
const LINES_TYPE = /\b(x-)?(nd-?json|jsonl|json-seq|jsonlines)\b/i;

/** The response's content type, lower-cased, or '' when it names none. */
export function contentType(response: AxiosResponse): string {
  return (headerText(getHeader(response.headers, 'content-type')) ?? '').toLowerCase();
}

/**
 * The response as the walk reads it. A body still in text — `responseType: 'text'`, a pass-through
 * `transformResponse`, or NDJSON (`application/x-ndjson`, JSON Lines), which axios leaves as a string — is
 * parsed: JSON as JSON, NDJSON as the array of its lines. Anything else (an HTML page, JSON cut short) stays a
 * string, which the walk cannot read. The caller's response is not changed: the view is a copy.
 */
export function readable(response: AxiosResponse): AxiosResponse {
  const data: unknown = response.data;
  const text = typeof data === 'string' ? data : isBytes(data) ? new TextDecoder().decode(data) : undefined;
  if (text === undefined || text.trim() === '') return response;
  const type = contentType(response);
  try {
    if (LINES_TYPE.test(type))
      return {
        ...response,
        data: text
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as unknown),
      };
    if (JSON_TYPE.test(type) || type === '' || /^\s*[[{]/.test(text)) return { ...response, data: JSON.parse(text) as unknown };
  } catch {
    // not JSON: the walk reports what it got
  }
  return typeof data === 'string' ? response : { ...response, data: text };
}

function isBytes(data: unknown): data is ArrayBuffer | Uint8Array {
  return data instanceof ArrayBuffer || data instanceof Uint8Array;
}

/** Whether the walk can read this body: anything but text it could not parse (empty is an empty page). */
export function isReadable(view: AxiosResponse): boolean {
  return typeof view.data !== 'string' || view.data.trim() === '';
}

/** A short excerpt of a body, for messages: its content type and first bytes. */
export function excerpt(response: AxiosResponse, max = 120): string {
  const data: unknown = response.data;
  let text: string;
  try {
    text = typeof data === 'string' ? data : (JSON.stringify(data) ?? String(data));
  } catch {
    text = String(data);
  }
  text = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

/** One field of a body found by `fields()`: its dotted path, its own name, and its value. */
export interface Field {
  readonly path: string;
  readonly key: string;
  readonly value: unknown;
}

const MAX_FIELDS = 400;

/**
 * The scalar fields of a body and of the objects inside it (three levels deep, arrays not entered), shallow
 * ones first: what detection reads names and values from (`meta.pagination.pageCount`, `response_metadata.
 * next_cursor`, `offset`). Bounded, so a large page costs little.
 */
export function fields(body: unknown): Field[] {
  const found: Field[] = [];
  if (!isObject(body)) return found;
  let level: [string, Body][] = [['', body]];
  for (let depth = 0; depth < 3 && level.length > 0 && found.length < MAX_FIELDS; depth++) {
    const next: [string, Body][] = [];
    for (const [prefix, object] of level) {
      for (const [key, value] of Object.entries(object)) {
        const path = prefix ? `${prefix}.${key}` : key;
        if (isObject(value)) next.push([path, value]);
        else if (!Array.isArray(value)) found.push({ path, key, value });
        if (found.length >= MAX_FIELDS) break;
      }
    }
    level = next;
  }
  return found;
}
