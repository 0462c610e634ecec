// Reading a fetched page: its items where the walk finds them (or an `items()` option says), and what its answer
// looked like, for telling one page from the next.
import type { AxiosResponse } from 'axios';
import { PaginationError } from '../errors.js';
import { contentType, defaultItems, excerpt, isReadable, ITEM_KEYS, readable } from './body.js';
import type { Fetched } from './tally.js';
import { pageInfo } from './transport.js';
import type { Checkpoint, PageRequest, PaginateOptions } from './types.js';

/**
 * The page's items, as the walk reads them (a body in text is parsed; see `readable`); a body it cannot read, or
 * no item array, is a PaginationError at `checkpoint`.
 */
export async function readPage<T>(
  response: AxiosResponse,
  request: PageRequest,
  url: URL,
  index: number,
  revalidated: boolean,
  reader: PaginateOptions<T>['items'],
  checkpoint: Checkpoint | null,
): Promise<Fetched<T>> {
  const view = readable(response);
  if (!isReadable(view)) {
    const attempts = pageInfo(response)?.attempts.length ?? 1;
    throw new PaginationError(
      'PAGE_FAILED',
      `page ${url.href} answered ${response.status} with a body the walk cannot read (${contentType(response) || 'no content-type'}, ${excerpt(response)})${attempts > 1 ? ` ${attempts} times` : ''}; pass an items() option if it is meant to be read another way`,
      [],
      checkpoint,
    );
  }
  let items: unknown;
  try {
    items = reader ? await reader(response) : defaultItems<T>(view);
  } catch (error) {
    throw new PaginationError(
      'ITEMS_NOT_FOUND',
      `items() threw for ${url.href}: ${error instanceof Error ? error.message : String(error)}`,
      [],
      checkpoint,
      {
        cause: error,
      },
    );
  }
  if (!Array.isArray(items))
    throw new PaginationError(
      'ITEMS_NOT_FOUND',
      reader
        ? `items() returned ${items === null ? 'null' : typeof items} for ${url.href}, not an array`
        : `no item array in the response of ${url.href}: not the body itself, nor under ${ITEM_KEYS.join(', ')}, hits.*, _embedded.*, nor a body's only array; pass an items() option`,
      [],
      checkpoint,
    );
  const raw = reader ? (defaultItems<unknown>(view) ?? view.data) : items;
  return {
    request,
    response: reader ? response : view,
    items: [...(items as T[])],
    index,
    url,
    signature: signature(raw),
    ...(revalidated && { revalidated }),
  };
}

/**
 * What a page's answer looked like, for telling one page from the next (`STUCK`): the page's own array as the
 * API sent it (its length, first and last entries), not what an `items()` reader made of it — two pages of
 * different items may map to equal values.
 */
function signature(raw: unknown): string | undefined {
  if (Array.isArray(raw)) return raw.length > 0 ? JSON.stringify([raw.length, raw[0], raw.at(-1)]) : undefined;
  const text = JSON.stringify(raw);
  return text === undefined || text.length > 100_000 ? undefined : text;
}
