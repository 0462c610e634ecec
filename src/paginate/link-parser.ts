import { PaginationError } from '../errors.js';

/** One link of a Link header. */
export interface Link {
  readonly uri: string;
  /** Relation types, lower-cased (`rel="next last"` gives both). */
  readonly rel: readonly string[];
}

/** Longer Link headers are refused outright: no API needs 64 KiB of links, an attacker might. */
export const MAX_LINK_HEADER = 65_536;
const MAX_PARAMS = 32;

const isSpace = (c: string) => c === ' ' || c === '\t';

/**
 * Parses an RFC 8288 Link header in one forward pass: every step advances the cursor, so the time is
 * linear in the length whatever the input (no regex, no backtracking; see CVE-2021-23490 and
 * CVE-2025-25288 for what regex parsers did). Malformed links are skipped, never thrown.
 *
 * @example parseLinkHeader('<https://a.test/?page=2>; rel="next"') // [{ uri: 'https://a.test/?page=2', rel: ['next'] }]
 */
export function parseLinkHeader(header: string): Link[] {
  const links: Link[] = [];
  if (typeof header !== 'string' || header.length > MAX_LINK_HEADER) return links;
  const n = header.length;
  let i = 0;
  while (i < n) {
    while (i < n && (isSpace(header[i]) || header[i] === ',')) i++;
    if (i >= n) break;
    if (header[i] !== '<') {
      i = skipTo(header, i, ',');
      continue;
    }
    const close = header.indexOf('>', i + 1);
    if (close < 0) break;
    const uri = header.slice(i + 1, close).trim();
    i = close + 1;
    const rel: string[] = [];
    let params = 0;
    // Parameters: ; name[=value], until the next top-level comma.
    while (i < n) {
      while (i < n && isSpace(header[i])) i++;
      if (header[i] !== ';') break;
      i++;
      while (i < n && isSpace(header[i])) i++;
      let nameEnd = i;
      while (nameEnd < n && !'=;,'.includes(header[nameEnd])) nameEnd++;
      const name = header.slice(i, nameEnd).trim().toLowerCase();
      i = nameEnd;
      let value = '';
      if (header[i] === '=') {
        i++;
        while (i < n && isSpace(header[i])) i++;
        if (header[i] === '"') {
          const parsed = quoted(header, i);
          value = parsed.value;
          i = parsed.end;
        } else {
          let end = i;
          while (end < n && header[end] !== ';' && header[end] !== ',') end++;
          value = header.slice(i, end).trim();
          i = end;
        }
      }
      if (++params <= MAX_PARAMS && name === 'rel' && rel.length === 0)
        rel.push(
          ...value
            .toLowerCase()
            .split(/[ \t]+/)
            .filter(Boolean),
        );
    }
    if (uri !== '') links.push({ uri, rel });
    i = skipTo(header, i, ',');
  }
  return links;
}

/** A quoted-string starting at `start` (the opening quote): its value and the index after the closing quote. */
function quoted(text: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < text.length && text[i] !== '"') {
    if (text[i] === '\\' && i + 1 < text.length) i++;
    value += text[i++];
  }
  return { value, end: i + 1 };
}

function skipTo(text: string, from: number, char: string): number {
  const at = text.indexOf(char, from);
  return at < 0 ? text.length : at;
}

/**
 * The `rel="next"` target of a Link header, if any. A header too long to parse is an error (`UNSAFE_URL`),
 * never a quiet "no next page" that would end a walk short.
 */
export function nextLink(header: unknown): string | undefined {
  const text = Array.isArray(header) ? header.join(', ') : header;
  if (typeof text !== 'string') return undefined;
  if (text.length > MAX_LINK_HEADER)
    throw new PaginationError(
      'UNSAFE_URL',
      `the Link header is ${text.length} characters, over the ${MAX_LINK_HEADER} this parser reads`,
      [],
      null,
    );
  return parseLinkHeader(text).find((link) => link.rel.includes('next'))?.uri;
}
