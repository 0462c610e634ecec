// P8's API, in its own process: a page-number API (`/<path>?page=N`, `total_pages`) that goes down after
// `afterPages` pages have been served, for `outageMs`, one of three ways — 503 without Retry-After, connection
// refused (nothing listens on the port), or a black hole (accepts, never answers) — then comes back on the same
// port. It records what reached it while down and when the first page was served after. Options arrive in argv.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type OutageKind = '503' | 'refused' | 'hole';
export interface OutageOptions {
  items: number;
  pageSize: number;
  latencyMs: number;
  kind: OutageKind;
  afterPages: number;
  outageMs: number;
}
export interface OutageStats {
  pages: number;
  requests: number;
  /** Requests that reached the API while it was down (refused connections reach nothing). */
  duringOutage: number;
  downAt: number;
  upAt: number;
  /** When the first page was served after the API came back. */
  firstAfter: number;
}

const o = JSON.parse(process.argv[2] ?? '{}') as OutageOptions;
const stats: OutageStats = { pages: 0, requests: 0, duringOutage: 0, downAt: 0, upAt: 0, firstAfter: 0 };
let down = false;
const sockets = new Set<Socket>();
const server = http.createServer((req, res) => {
  stats.requests++;
  if (down) {
    stats.duringOutage++;
    if (o.kind === 'hole') return; // accepted, never answered
    res.writeHead(503, { 'content-type': 'application/json' });
    return void res.end('{"error":"down"}');
  }
  const url = new URL(req.url ?? '/', 'http://x');
  const page = Number(url.searchParams.get('page') ?? 1);
  const start = (page - 1) * o.pageSize;
  const items = Array.from({ length: Math.max(0, Math.min(o.pageSize, o.items - start)) }, (_, i) => ({ id: start + i }));
  setTimeout(() => {
    if (down) return; // went down while this page was on its way: it answers as the outage does
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ items, total_pages: Math.ceil(o.items / o.pageSize) }));
    stats.pages++;
    if (stats.upAt && !stats.firstAfter) stats.firstAfter = Date.now();
    if (stats.pages === o.afterPages) void outage();
  }, o.latencyMs);
});
server.on('connection', (socket) => (sockets.add(socket), socket.on('close', () => sockets.delete(socket))));
server.keepAliveTimeout = 60_000;

async function outage(): Promise<void> {
  down = true;
  stats.downAt = Date.now();
  if (o.kind === 'refused') {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
  await new Promise((resolve) => setTimeout(resolve, o.outageMs));
  if (o.kind === 'refused') await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  if (o.kind === 'hole') for (const socket of sockets) socket.destroy(); // the held requests end (timed out long ago)
  down = false;
  stats.upAt = Date.now();
}

await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as AddressInfo).port;
if (o.afterPages === 0) void outage(); // down from the start
process.on('message', (message) => {
  if (message === 'stats') process.send?.({ stats });
});
process.on('disconnect', () => process.exit(0));
process.send?.({ url: `http://127.0.0.1:${port}` });
