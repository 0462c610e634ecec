// Real API pagination shapes, each imitated from that API's public docs, served from 127.0.0.1 over `total`
// items ({ id }), `size` per page (the server's size: it clamps whatever page size a request asks for).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const SHAPES = [
  'github',
  'github-namespaced',
  'gitlab',
  'gitlab-keyset',
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
  'strapi',
  'airtable',
  'contentful',
  'zendesk',
  'hubspot',
  'jira',
  'elasticsearch',
  'relay',
] as const;
export type Shape = (typeof SHAPES)[number];

/** Shapes whose cursor parameter differs from what the page names it: zero-config stops with a typed error. */
export const NAMED_OTHERWISE = ['notion', 'twitter'] as const;
export type OtherShape = (typeof NAMED_OTHERWISE)[number];

/** The first request a user would write for each shape (as its docs show it). */
export const FIRST: Record<Shape | OtherShape, string> = {
  github: '/repos/o/r/issues?per_page=10',
  // GitHub's lists wrapped in an object: { total_count, repositories } (also workflow_runs, check_runs…).
  'github-namespaced': '/installation/repositories?per_page=10',
  gitlab: '/api/v4/projects/1/issues?per_page=10',
  // GitLab past 10,000 rows: only X-Next-Page / X-Page / X-Per-Page, no Link, no totals.
  'gitlab-keyset': '/api/v4/projects/1/jobs?per_page=10',
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
  // Strapi v4/v5 REST: { data, meta: { pagination: { page, pageSize, pageCount, total } } }, ?pagination[page]=.
  strapi: '/api/articles',
  // Airtable: { records, offset } — the offset is an opaque cursor sent back as ?offset=.
  airtable: '/v0/app/Table?pageSize=10',
  // Contentful: { total, skip, limit, items }, ?skip= (not in the first URL).
  contentful: '/spaces/s/entries',
  // Zendesk cursor pagination: { tickets, meta: { has_more, after_cursor }, links: { next } }.
  zendesk: '/api/v2/tickets?page[size]=10',
  // HubSpot CRM v3: { results, paging: { next: { after, link } } }.
  hubspot: '/crm/v3/objects/contacts?limit=10',
  // Jira: { startAt, maxResults, total, issues }, ?startAt=.
  jira: '/rest/api/3/search',
  // Elasticsearch _search: { hits: { total: { value }, hits } }, ?from=&size=.
  elasticsearch: '/index/_search?from=0&size=10',
  // A Relay-style REST list: { edges…, pageInfo: { endCursor, hasNextPage } }, ?after=.
  relay: '/v1/nodes',
  // Notion: { object: 'list', results, next_cursor, has_more }, but the request parameter is start_cursor.
  notion: '/v1/users',
  // X (Twitter) v2: { data, meta: { next_token } }, but the request parameter is pagination_token.
  twitter: '/2/users/1/tweets',
};

export async function startShapeApi(
  shape: Shape | OtherShape,
  total = 47,
  misbehave?: 'ignore-page' | 'no-hint',
  size = 10,
): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  let requests = 0;
  let base = '';
  const server = http.createServer((req, res) => {
    requests++;
    const url = new URL(req.url ?? '/', base);
    const q = (name: string, fallback: number) => Number(url.searchParams.get(name) ?? fallback);
    const slice = (start: number) => Array.from({ length: Math.max(0, Math.min(size, total - start)) }, (_, i) => ({ id: start + i }));
    const send = (body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(200, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const pages = Math.max(1, Math.ceil(total / size));
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
    const pageParam =
      shape === 'json-server-0.17' || shape === 'json-server-1.0' ? '_page' : shape === 'strapi' ? 'pagination[page]' : 'page';
    const page = misbehave === 'ignore-page' ? 1 : q(pageParam, 1);
    const start = (page - 1) * size;
    /** A cursor that is the last id served, as the APIs' opaque ones stand for. */
    const after = (param: string) => (url.searchParams.get(param) === null ? 0 : Number(url.searchParams.get(param)) + 1);
    const token = (items: { id: number }[]) => {
      const last = items.at(-1)?.id ?? total;
      return last < total - 1 ? String(last) : null;
    };
    switch (shape) {
      case 'github':
        return send(slice(start), link(page));
      case 'github-namespaced':
        return send({ total_count: total, repository_selection: 'all', repositories: slice(start) }, link(page));
      case 'gitlab':
        return send(slice(start), { ...link(page), 'X-Total': String(total), 'X-Total-Pages': String(pages), 'X-Page': String(page) });
      case 'gitlab-keyset':
        return send(slice(start), {
          'X-Page': String(page),
          'X-Per-Page': String(size),
          'X-Next-Page': page < pages ? String(page + 1) : '',
          'X-Prev-Page': page > 1 ? String(page - 1) : '',
        });
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
          previous: page > 1 ? `${base}${url.pathname}?page=${page - 1}` : null,
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
          first_page_url: `${base}${url.pathname}?page=1`,
          last_page: pages,
          next_page_url: page < pages ? `${base}${url.pathname}?page=${page + 1}` : null,
          prev_page_url: page > 1 ? `${base}${url.pathname}?page=${page - 1}` : null,
          total,
        });
      case 'stripe': {
        const data = slice(after('starting_after'));
        return send({ object: 'list', url: url.pathname, data, has_more: (data.at(-1)?.id ?? total) < total - 1 });
      }
      case 'google': {
        const items = slice(after('pageToken'));
        const next = token(items);
        return send({ kind: 'drive#fileList', items, ...(next && { nextPageToken: next }) });
      }
      case 'slack': {
        const members = slice(after('cursor'));
        return send({ ok: true, members, response_metadata: { next_cursor: token(members) ?? '' } });
      }
      case 'spring': {
        const number = q('page', 0);
        return send({ content: slice(number * size), totalPages: pages, totalElements: total, number, size, last: number >= pages - 1 });
      }
      case 'offset-total':
        return send({ rows: slice(q('offset', 0)).slice(0, q('limit', size)), total });
      case 'strapi':
        return send({ data: slice(start), meta: { pagination: { page, pageSize: size, pageCount: pages, total } } });
      case 'airtable': {
        const records = slice(after('offset'));
        const next = token(records);
        return send({ records, ...(next && { offset: next }) });
      }
      case 'contentful': {
        const skip = q('skip', 0);
        return send({ sys: { type: 'Array' }, total, skip, limit: size, items: slice(skip) });
      }
      case 'zendesk': {
        const tickets = slice(after('page[after]'));
        const next = token(tickets);
        return send({
          tickets,
          meta: { has_more: next !== null, after_cursor: next, before_cursor: tickets[0] ? String(tickets[0].id) : null },
          links: { prev: null, next: next ? `${base}${url.pathname}?page[size]=${size}&page[after]=${next}` : null },
        });
      }
      case 'hubspot': {
        const results = slice(after('after'));
        const next = token(results);
        return send({ results, ...(next && { paging: { next: { after: next, link: `${base}${url.pathname}?after=${next}` } } }) });
      }
      case 'jira': {
        const startAt = q('startAt', 0);
        return send({ expand: 'schema,names', startAt, maxResults: size, total, issues: slice(startAt) });
      }
      case 'elasticsearch': {
        const from = q('from', 0);
        return send({ took: 3, timed_out: false, hits: { total: { value: total, relation: 'eq' }, max_score: 1, hits: slice(from) } });
      }
      case 'relay': {
        const nodes = slice(after('after'));
        const next = token(nodes);
        return send({ nodes, pageInfo: { endCursor: nodes.at(-1) ? String(nodes.at(-1)?.id) : null, hasNextPage: next !== null } });
      }
      case 'notion': {
        const results = slice(after('start_cursor'));
        const next = token(results);
        return send({ object: 'list', results, next_cursor: next, has_more: next !== null, type: 'user', user: {} });
      }
      case 'twitter': {
        const data = slice(after('pagination_token'));
        const next = token(data);
        return send({ data, meta: { result_count: data.length, ...(next && { next_token: next }) } });
      }
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
