// Real API pagination shapes, from each API's public docs, served from 127.0.0.1 over 47 items ({ id }).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const SHAPES = [
  'github',
  'gitlab',
  'json-server-0.17',
  'json-server-1.0',
  'drf',
  'hal',
  'json-api',
  'odata',
  'laravel',
  'stripe',
  'google',
  'slack',
  'spring',
  'offset-total',
] as const;
export type Shape = (typeof SHAPES)[number];

/** The first request a user would write for each shape. */
export const FIRST: Record<Shape, string> = {
  github: '/repos/o/r/issues?per_page=10',
  gitlab: '/api/v4/projects/1/issues?per_page=10',
  'json-server-0.17': '/posts?_page=1&_limit=10',
  'json-server-1.0': '/posts?_page=1&_per_page=10',
  drf: '/api/things/',
  hal: '/orders',
  'json-api': '/articles',
  odata: '/People',
  laravel: '/api/users',
  stripe: '/v1/customers?limit=10',
  google: '/drive/v3/files',
  slack: '/api/users.list?limit=10',
  spring: '/api/people',
  'offset-total': '/records?offset=0&limit=10',
};

const SIZE = 10;

export async function startShapeApi(
  shape: Shape,
  total = 47,
  misbehave?: 'ignore-page' | 'no-hint',
): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  let requests = 0;
  let base = '';
  const server = http.createServer((req, res) => {
    requests++;
    const url = new URL(req.url ?? '/', base);
    const q = (name: string, fallback: number) => Number(url.searchParams.get(name) ?? fallback);
    const slice = (start: number) => Array.from({ length: Math.max(0, Math.min(SIZE, total - start)) }, (_, i) => ({ id: start + i }));
    const send = (body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(200, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const pages = Math.ceil(total / SIZE);
    const link = (page: number, param = 'page') => {
      const next = new URL(url);
      next.searchParams.set(param, String(page + 1));
      const last = new URL(url);
      last.searchParams.set(param, String(pages));
      return page < pages
        ? { Link: `<${next.href}>; rel="next", <${last.href}>; rel="last", <${base}${url.pathname}>; rel="first"` }
        : ({} as Record<string, string>);
    };
    if (misbehave === 'no-hint') return send({ items: slice(0), total });
    const page = misbehave === 'ignore-page' ? 1 : q(shape === 'json-server-0.17' || shape === 'json-server-1.0' ? '_page' : 'page', 1);
    const start = (page - 1) * SIZE;
    const cursorAt =
      Number(url.searchParams.get('cursor') ?? url.searchParams.get('pageToken') ?? url.searchParams.get('starting_after') ?? -1) + 1;
    switch (shape) {
      case 'github':
        return send(slice(start), link(page));
      case 'gitlab':
        return send(slice(start), { ...link(page), 'X-Total': String(total), 'X-Total-Pages': String(pages), 'X-Page': String(page) });
      case 'json-server-0.17':
        return send(slice(start), { ...link(page, '_page'), 'X-Total-Count': String(total) });
      case 'json-server-1.0':
        return send({
          first: 1,
          prev: page > 1 ? page - 1 : null,
          next: page < pages ? page + 1 : null,
          last: pages,
          pages,
          items: total,
          data: slice(start),
        });
      case 'drf':
        return send({
          count: total,
          next: page < pages ? `${base}${url.pathname}?page=${page + 1}` : null,
          previous: null,
          results: slice(start),
        });
      case 'hal':
        return send({
          _embedded: { orders: slice(start) },
          _links: { self: { href: url.href }, ...(page < pages && { next: { href: `${url.pathname}?page=${page + 1}` } }) },
          total,
        });
      case 'json-api':
        return send({
          data: slice(start),
          links: { self: url.href, next: page < pages ? `${base}${url.pathname}?page%5Bnumber%5D=${page + 1}&page=${page + 1}` : null },
        });
      case 'odata':
        return send({ value: slice(start), ...(page < pages && { '@odata.nextLink': `${base}${url.pathname}?page=${page + 1}` }) });
      case 'laravel':
        return send({
          current_page: page,
          data: slice(start),
          last_page: pages,
          next_page_url: page < pages ? `${base}${url.pathname}?page=${page + 1}` : null,
          total,
        });
      case 'stripe': {
        const data = slice(Number(url.searchParams.get('starting_after') ?? -1) + 1);
        return send({ object: 'list', data, has_more: (data.at(-1)?.id ?? total) < total - 1 });
      }
      case 'google': {
        const items = slice(url.searchParams.get('pageToken') ? cursorAt : 0);
        const last = items.at(-1)?.id ?? total;
        return send({ kind: 'drive#fileList', items, ...(last < total - 1 && { nextPageToken: String(last) }) });
      }
      case 'slack': {
        const members = slice(url.searchParams.get('cursor') ? cursorAt : 0);
        const last = members.at(-1)?.id ?? total;
        return send({ ok: true, members, response_metadata: { next_cursor: last < total - 1 ? String(last) : '' } });
      }
      case 'spring': {
        const number = q('page', 0);
        return send({
          content: slice(number * SIZE),
          totalPages: pages,
          totalElements: total,
          number,
          size: SIZE,
          last: number >= pages - 1,
        });
      }
      case 'offset-total':
        return send({ rows: slice(q('offset', 0)).slice(0, q('limit', SIZE)), total });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
