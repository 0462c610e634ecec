// A real HTTP/2 server (h2c: cleartext, prior knowledge, as axios' `httpVersion: 2` speaks to http:// URLs)
// on 127.0.0.1, serving the sim API's page shape, with faults a test picks per stream: refuse the stream
// (RST_STREAM REFUSED_STREAM), reset it after reading it (INTERNAL_ERROR), or send a GOAWAY.
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

export type StreamFault = 'refuse' | 'reset' | 'goaway' | '429' | undefined;

export interface Http2Api {
  readonly url: string;
  readonly stats: { streams: number; sessions: number; maxConcurrentStreams: number; faults: number };
  close(): Promise<void>;
}

/** `fault(n, path, method)` picks what happens to the n-th stream (1-based). */
export async function startHttp2Api(options: {
  items: number;
  pageSize: number;
  latencyMs?: number;
  fault?: (n: number, path: string, method: string) => StreamFault;
}): Promise<Http2Api> {
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  const stats = { streams: 0, sessions: 0, maxConcurrentStreams: 0, faults: 0 };
  let open = 0;
  server.on('session', (session) => {
    stats.sessions++;
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    session.on('error', () => undefined);
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined); // a stream we reset on purpose
    const n = ++stats.streams;
    open++;
    stats.maxConcurrentStreams = Math.max(stats.maxConcurrentStreams, open);
    stream.on('close', () => open--);
    const path = String(headers[':path'] ?? '/');
    const fault = options.fault?.(n, path, String(headers[':method']));
    if (fault) stats.faults++;
    if (fault === 'refuse') return stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
    if (fault === 'goaway') return void stream.session?.goaway(http2.constants.NGHTTP2_NO_ERROR, (stream.id ?? 2) - 2);
    stream.resume(); // read the request body, if any
    setTimeout(() => {
      if (stream.destroyed) return;
      if (fault === 'reset') return stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
      if (fault === '429') {
        stream.respond({ ':status': 429, 'retry-after': '1', 'content-type': 'application/json' });
        return stream.end('{"error":"slow down"}');
      }
      const page = Number(new URL(path, 'http://x').searchParams.get('page') ?? 1);
      const start = (page - 1) * options.pageSize;
      const items = Array.from({ length: Math.max(0, Math.min(options.pageSize, options.items - start)) }, (_, i) => ({ id: start + i }));
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      stream.end(JSON.stringify({ items, page, total_pages: Math.ceil(options.items / options.pageSize) }));
    }, options.latencyMs ?? 2);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}
