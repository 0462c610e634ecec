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

/**
 * Waits until `condition()` holds, checking every few ms; jest's timeout bounds it. Tests wait for the
 * state they need (the pause is known, the request is queued) instead of sleeping a guessed time.
 */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await wait(5);
}

/**
 * Asserts a limiter's pace in a way load cannot break: every start needs its own grant, grants come at
 * least `minTime` apart and none before `from`, so the i-th earliest start is never before
 * `from + i × minTime`. Load only delays starts (it can shrink one gap, never the cumulative schedule).
 * 1 ms per gap for timers firing on a rounded millisecond, 2 ms for clock reads.
 */
export function expectPace(times: readonly number[], from: number, minTime: number): void {
  const sorted = [...times].sort((a, b) => a - b);
  const early = sorted.map((t, i) => ({ i, t: t - from, floor: i * (minTime - 1) - 2 })).filter((s) => s.t < s.floor);
  if (early.length > 0) throw new Error(`starts ahead of a ${minTime} ms pace (ms after start): ${JSON.stringify(early.slice(0, 5))}`);
}
