import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a test server saw. */
export interface Seen {
  /** Arrival time (ms since epoch) and path of every request, in order. */
  readonly arrivals: { at: number; path: string; method: string }[];
  inFlight: number;
  maxInFlight: number;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void | Promise<void>;

/** A real HTTP server on 127.0.0.1 with a random port, counting arrivals and concurrency. */
export interface TestServer {
  readonly url: string;
  readonly seen: Seen;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1:0 for one test; `close()` destroys open sockets so nothing lingers. */
export async function startServer(handler: Handler): Promise<TestServer> {
  const seen: Seen = { arrivals: [], inFlight: 0, maxInFlight: 0 };
  const server = http.createServer((req, res) => {
    seen.arrivals.push({ at: Date.now(), path: req.url ?? '/', method: req.method ?? 'GET' });
    seen.inFlight++;
    seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
    let done = false;
    const settle = () => {
      if (!done) {
        done = true;
        seen.inFlight--;
      }
    };
    res.on('finish', settle);
    res.on('close', settle);
    Promise.resolve(handler(req, res, seen)).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Sends a JSON body. */
export function json(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
