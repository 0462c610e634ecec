import axios, { type AxiosAdapter } from 'axios';
import { collect, cursor, nextUrl, offset, pageNumber, paginate, type Checkpoint, type PaginateOptions } from '../src/index.js';

// Every malformed pagination option is a TypeError naming the option and the value, raised before a single
// request is sent. The adapter below counts what would have reached the network.
let sent = 0;
const adapter: AxiosAdapter = async (config) => {
  sent++;
  return { data: [], status: 200, statusText: 'OK', headers: {}, config };
};
const api = axios.create({ baseURL: 'http://127.0.0.1:9', adapter });
beforeEach(() => {
  sent = 0;
});

const checkpoint: Checkpoint = { version: 1, strategy: 'pageNumber:page', next: { url: '/x', params: { page: 2 } }, pages: 1, items: 10 };
const fn = () => undefined;
const bad = (options: unknown) => options as PaginateOptions<unknown>;

// [what, options, the option the message must name]
const walkCases: [string, unknown, string][] = [
  ['options a string', 'x', 'paginate options'],
  ['options an array', [], 'paginate options'],
  ['strategy a name', { strategy: 'bogus' }, 'strategy'],
  ['strategy empty', { strategy: {} }, 'strategy'],
  ['strategy null', { strategy: null }, 'strategy'],
  ['strategy without first()', { strategy: { name: 'x', first: 1, next: fn } }, 'strategy'],
  ['strategy a factory not called', { strategy: pageNumber }, 'strategy'],
  ['items a key', { items: 'data' }, 'items'],
  ['items a number', { items: 5 }, 'items'],
  ['maxItems 0', { maxItems: 0 }, 'maxItems'],
  ['maxItems negative', { maxItems: -1 }, 'maxItems'],
  ['maxItems fractional', { maxItems: 1.5 }, 'maxItems'],
  ['maxItems a string', { maxItems: '10' }, 'maxItems'],
  ['maxItems NaN', { maxItems: NaN }, 'maxItems'],
  ['maxPages 0', { maxPages: 0 }, 'maxPages'],
  ['maxPages a word', { maxPages: 'all' }, 'maxPages'],
  ['maxRequests 0', { maxRequests: 0 }, 'maxRequests'],
  ['maxRequests -Infinity', { maxRequests: -Infinity }, 'maxRequests'],
  ['concurrency 0', { concurrency: 0 }, 'concurrency'],
  ['concurrency fractional', { concurrency: 2.5 }, 'concurrency'],
  ['concurrency a string', { concurrency: '4' }, 'concurrency'],
  ['lookAhead below concurrency', { concurrency: 4, lookAhead: 1 }, 'lookAhead'],
  ['lookAhead negative', { lookAhead: -1 }, 'lookAhead'],
  ['allowOrigins a string', { allowOrigins: '*' }, 'allowOrigins'],
  ['allowOrigins a wildcard', { allowOrigins: ['*'] }, 'allowOrigins'],
  ['allowOrigins a subdomain wildcard', { allowOrigins: ['https://*.example.com'] }, 'allowOrigins'],
  ['allowOrigins without a scheme', { allowOrigins: ['example.com'] }, 'allowOrigins'],
  ['allowOrigins with a path', { allowOrigins: ['https://a.example.com/v1'] }, 'allowOrigins'],
  ['allowOrigins a number', { allowOrigins: [5] }, 'allowOrigins'],
  ['allowOrigins ftp', { allowOrigins: ['ftp://files.example.com'] }, 'allowOrigins'],
  ['onProgress true', { onProgress: true }, 'onProgress'],
  ['signal a string', { signal: 'x' }, 'signal'],
  ['signal an object', { signal: {} }, 'signal'],
  ['resume a string', { resume: 'x' }, 'resume'],
  ['resume empty', { resume: {} }, 'resume'],
  ['resume negative pages', { resume: { ...checkpoint, pages: -1 } }, 'resume'],
  ['resume negative items', { resume: { ...checkpoint, items: -5 } }, 'resume'],
  ['resume fractional items', { resume: { ...checkpoint, items: 1.5 } }, 'resume'],
  ['resume another version', { resume: { ...checkpoint, version: 2 } }, 'resume'],
  ['resume without next', { resume: { ...checkpoint, next: null } }, 'resume'],
  ['resume of another strategy', { strategy: offset(), resume: checkpoint }, 'resume.strategy'],
  ['checkTotal a string', { checkTotal: 'no' }, 'checkTotal'],
  ['checkTotal 0', { checkTotal: 0 }, 'checkTotal'],
  ['config a string', { config: 'x' }, 'config'],
  ['config null', { config: null }, 'config'],
  ['config an array', { config: [] }, 'config'],
  ['config.url', { config: { url: '/y' } }, 'config.url'],
  ['config.params', { config: { params: { page: 2 } } }, 'config.params'],
  ['config.signal', { config: { signal: new AbortController().signal } }, 'config.signal'],
  ['a typo: maxItem', { maxItem: 3 }, 'maxItem'],
  ['a typo: onprogress', { onprogress: fn }, 'onprogress'],
  ['a typo: strategies', { strategies: pageNumber() }, 'strategies'],
];

describe('malformed walk options: a TypeError naming the option, before any request', () => {
  it.each(walkCases)('%s', async (_what, options, name) => {
    const message = new RegExp(`option "${name.replace(/[.*]/g, '\\$&')}"`);
    await expect(collect(api, '/x', bad(options))).rejects.toThrow(TypeError);
    await expect(collect(api, '/x', bad(options))).rejects.toThrow(message);
    await expect(paginate.pages(api, '/x', bad(options)).next()).rejects.toThrow(message);
    await expect(collect.withInfo(api, '/x', bad(options))).rejects.toThrow(message);
    expect(sent).toBe(0);
  });

  it.each<[string, unknown, unknown, string]>([
    ['a number as the target', api, 5, 'request'],
    ['null as the target', api, null, 'request'],
    ['a target without url', api, {}, 'request'],
    ['params as a query string', api, { url: '/x', params: 'a=1' }, 'request.params'],
    ['no instance', undefined, '/x', 'api'],
    ['an object that is not an instance', {}, '/x', 'api'],
    ['the axios config instead of the instance', { baseURL: 'http://127.0.0.1:9' }, '/x', 'api'],
  ])('%s', async (_what, instance, target, name) => {
    await expect(collect(instance as typeof api, target as string)).rejects.toThrow(new RegExp(`option "${name.replace('.', '\\.')}"`));
    expect(sent).toBe(0);
  });

  it('Infinity is "no cap" for maxItems, maxPages and maxRequests', async () => {
    await expect(collect(api, '/x', { maxItems: Infinity, maxPages: Infinity, maxRequests: Infinity })).resolves.toEqual([]);
  });
});

// [what, make the strategy, the option the message must name]
const factoryCases: [string, () => unknown, string][] = [
  ['pageNumber: a typo (totalpages)', () => pageNumber({ totalpages: fn } as never), 'pageNumber.totalpages'],
  ['pageNumber: totalPages a number', () => pageNumber({ totalPages: 5 } as never), 'pageNumber.totalPages'],
  ['pageNumber: totalItems a key', () => pageNumber({ totalItems: 'total' } as never), 'pageNumber.totalItems'],
  ['pageNumber: param empty', () => pageNumber({ param: '' }), 'pageNumber.param'],
  ['pageNumber: param a number', () => pageNumber({ param: 5 } as never), 'pageNumber.param'],
  ['pageNumber: start negative', () => pageNumber({ start: -1 }), 'pageNumber.start'],
  ['pageNumber: start fractional', () => pageNumber({ start: 1.5 }), 'pageNumber.start'],
  ['pageNumber: options a string', () => pageNumber('page' as never), 'pageNumber'],
  ['offset: limit 0', () => offset({ limit: 0 }), 'offset.limit'],
  ['offset: limit a string', () => offset({ limit: '100' } as never), 'offset.limit'],
  ['offset: total a number', () => offset({ total: 5 } as never), 'offset.total'],
  ['offset: param empty', () => offset({ param: '' }), 'offset.param'],
  ['offset: limitParam a number', () => offset({ limitParam: 3 } as never), 'offset.limitParam'],
  ['offset: a typo (pageSize)', () => offset({ pageSize: 10 } as never), 'offset.pageSize'],
  ['cursor: no options', () => (cursor as (o?: unknown) => unknown)(), 'cursor.param'],
  ['cursor: no next', () => cursor({ param: 'c' } as never), 'cursor.next'],
  ['cursor: next a key', () => cursor({ param: 'c', next: 'next_cursor' } as never), 'cursor.next'],
  ['cursor: an unknown option', () => cursor({ param: 'c', next: fn, total: fn } as never), 'cursor.total'],
  ['nextUrl: no options', () => (nextUrl as (o?: unknown) => unknown)(), 'nextUrl.next'],
  ['nextUrl: next a key', () => nextUrl({ next: 'next' } as never), 'nextUrl.next'],
  ['nextUrl: an unknown option', () => nextUrl({ next: fn, items: fn } as never), 'nextUrl.items'],
];

describe('malformed strategy options: a TypeError when the strategy is made', () => {
  it.each(factoryCases)('%s', (_what, make, name) => {
    expect(make).toThrow(TypeError);
    expect(make).toThrow(new RegExp(`option "${name.replace('.', '\\.')}"`));
  });
});

describe('a strategy callback returning the wrong type is a clear error after the page it read', () => {
  const pageOf =
    (data: unknown): AxiosAdapter =>
    async (config) => ({ data, status: 200, statusText: 'OK', headers: {}, config });
  it.each<[string, unknown, unknown, RegExp]>([
    [
      'nextUrl giving a page number',
      nextUrl({ next: (r) => r.data.next }),
      { items: [1], next: 2 },
      /nextUrl.next must return a URL string/,
    ],
    [
      'cursor giving an object',
      cursor({ param: 'c', next: (r) => r.data.next }),
      { items: [1], next: { id: 3 } },
      /cursor.next must return a string or number/,
    ],
    [
      'a total that is not a number',
      pageNumber({ totalPages: (r) => r.data.pages }),
      { items: [1], pages: 'many' },
      /a total must be a whole number .* "many"/,
    ],
  ])('%s', async (_what, strategy, body, message) => {
    const client = axios.create({ baseURL: 'http://127.0.0.1:9', adapter: pageOf(body) });
    await expect(collect(client, '/x', { strategy: strategy as never })).rejects.toThrow(message);
  });
});
