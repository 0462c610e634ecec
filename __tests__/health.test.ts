// The health gate: when the API looks down, one probe at a time, until it is back. The state machine with a
// clock of its own (units and a fast-check property), then attach() against real servers on 127.0.0.1 for each
// kind of outage: 503s without Retry-After, connection refused, a black hole (accepts, never answers).
import axios, { AxiosError } from 'axios';
import fc from 'fast-check';
import net from 'node:net';
import http from 'node:http';
import { ApiDownError, attach, collect, pageNumber, steadyInfo } from '../src/index.js';
import { Health, type Evidence } from '../src/control/health.js';
import { json, startServer, type TestServer } from '../test/servers/with-server.js';

const POLICY = { minProbeMs: 1000, maxProbeMs: 30_000, probeLeaseMs: 30_000 };

describe('Health, the state machine', () => {
  let now = 1_000_000;
  const realNow = Date.now;
  beforeEach(() => {
    now = 1_000_000;
    Date.now = () => now;
  });
  afterEach(() => {
    Date.now = realNow;
  });
  const requests = Array.from({ length: 20 }, () => ({}));
  const fail = (h: Health, r: object) => h.ended(r, 'down', new Error('ECONNREFUSED'));

  it('a healthy API goes down on 4 failures in a row from 2 requests — not on 3, not on 4 of one request', () => {
    const h = new Health(POLICY, () => 0.5);
    for (let i = 0; i < 3; i++) fail(h, requests[i % 2] as object);
    expect(h.up).toBe(true);
    fail(h, requests[1] as object);
    expect(h.snapshot()).toMatchObject({ state: 'down', probes: 0, outages: 1 });
    const one = new Health(POLICY, () => 0.5);
    for (let i = 0; i < 7; i++) fail(one, requests[0] as object);
    expect(one.up).toBe(true); // one request can be unlucky: it takes twice as many
    fail(one, requests[0] as object);
    expect(one.up).toBe(false);
  });

  it('never on 429s, 4xx or anything else that shows the API alive; a success resets the run', () => {
    const h = new Health(POLICY);
    for (let i = 0; i < 100; i++) h.ended(requests[i % 5] as object, i % 4 === 3 ? 'up' : 'down');
    expect(h.up).toBe(true);
    for (let i = 0; i < 100; i++) h.ended(requests[i % 5] as object, 'up');
    expect(h.up).toBe(true);
  });

  it('a flakier API needs a longer run: after a history of ~26 % failures, 8 in a row do not trip it, 11 do', () => {
    const h = new Health(POLICY);
    // 13 failures in every 50 outcomes, spread out: the share before the run is 0.26 give or take its EWMA.
    for (let i = 0; i < 500; i++) h.ended(requests[i % 8] as object, (i * 13) % 50 < 13 ? 'down' : 'up');
    h.ended(requests[0] as object, 'up');
    for (let i = 0; i < 8; i++) fail(h, requests[i % 4] as object);
    expect(h.up).toBe(true);
    for (let i = 0; i < 3; i++) fail(h, requests[i % 4] as object);
    expect(h.up).toBe(false);
  });

  it('down: one probe per interval (1 s, then twice as long), two successes in a row bring it back', () => {
    const h = new Health(POLICY, () => 0.5); // jitter ×1.0
    for (let i = 0; i < 4; i++) fail(h, requests[i % 2] as object);
    expect(h.holdUntil(now)).toBe(now + 1000);
    now += 1000;
    expect(h.mayGo(now)).toBe(true);
    h.sent(requests[5] as object);
    expect(h.holdUntil(now)).toBe(now + 30_000); // the probe holds the others (its lease)
    fail(h, requests[5] as object);
    expect(h.holdUntil(now)).toBe(now + 2000);
    now += 2000;
    h.sent(requests[6] as object);
    h.ended(requests[6] as object, 'up');
    expect(h.snapshot()).toMatchObject({ state: 'recovering', probes: 2 });
    expect(h.mayGo(now)).toBe(true); // the next probe goes at once
    h.sent(requests[7] as object);
    h.ended(requests[7] as object, 'up');
    expect(h.snapshot()).toEqual({ state: 'up', outages: 1 });
  });

  it('a probe that says nothing (cancelled) lets the next go at once; one never answered, after its lease', () => {
    const h = new Health(POLICY, () => 0.5);
    for (let i = 0; i < 4; i++) fail(h, requests[i % 2] as object);
    now += 1000;
    h.sent(requests[3] as object);
    h.ended(requests[3] as object, 'none');
    expect(h.mayGo(now)).toBe(true);
    h.sent(requests[4] as object); // never answered
    now += 30_000;
    expect(h.mayGo(now)).toBe(true);
  });

  it('an outage heard from the fleet ends the run before it; news of it that crossed the recovery is not a new one', () => {
    const h = new Health(POLICY, () => 0.5);
    for (let i = 0; i < 3; i++) fail(h, requests[i % 2] as object); // one short of tripping
    const since = now;
    h.heardDown(since, now + 500);
    expect(h.snapshot()).toMatchObject({ state: 'down', outages: 1 });
    now += 3000;
    h.heardUp();
    fail(h, requests[2] as object); // a straggler of the outage: one failure after it, not the fourth of a run
    expect(h.snapshot()).toEqual({ state: 'up', outages: 1 });
    now += 5;
    h.heardDown(since, now + 500); // a refusal the ledger sent before the recovery, read after it
    expect(h.snapshot()).toEqual({ state: 'up', outages: 1 });
    h.heardDown(now, now + 500); // a new outage
    expect(h.snapshot()).toMatchObject({ state: 'down', outages: 2 });
  });

  it('property: random outcomes, outages and recoveries — never down without a run of failures, always back once the API is', () => {
    const event = fc.oneof(
      fc.record({
        kind: fc.constant('outcome' as const),
        request: fc.integer({ min: 0, max: 7 }),
        evidence: fc.constantFrom<Evidence>('up', 'down', 'none'),
      }),
      fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 40_000 }) }),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 200 }), fc.double({ min: 0, max: 1, noNaN: true }), (events, jitter) => {
        const h = new Health(POLICY, () => jitter);
        let run = 0;
        for (const e of events) {
          if (e.kind === 'wait') {
            now += e.ms;
            continue;
          }
          const wasUp = h.up;
          if (!h.up && h.mayGo(now)) h.sent(requests[e.request] as object);
          h.ended(requests[e.request] as object, e.evidence);
          run = e.evidence === 'up' ? 0 : e.evidence === 'down' ? run + 1 : run;
          // Down only after a run of at least 4 failures with no success between.
          if (wasUp && !h.up) expect(run).toBeGreaterThanOrEqual(4);
          // The gate is never held longer than a probe's lease or the longest interval (+20 % jitter).
          const held = h.holdUntil(now);
          if (held !== undefined) expect(held - now).toBeLessThanOrEqual(Math.max(POLICY.probeLeaseMs, POLICY.maxProbeMs * 1.2));
        }
        // The API is back: probes get through within the intervals, and two successes reopen it.
        for (let i = 0; i < 4 && !h.up; i++) {
          now += 40_000;
          expect(h.mayGo(now)).toBe(true);
          h.sent(requests[0] as object);
          h.ended(requests[0] as object, 'up');
        }
        expect(h.up).toBe(true);
      }),
      { numRuns: 300, seed: 20261205 },
    );
  });
});

/** A page-number API over `total` items that can go down three ways; counts what reached it. */
async function outageApi(total: number) {
  const state = { mode: 'up' as 'up' | '503' | 'hole', arrivals: 0, whileDown: 0 };
  const server = http.createServer((req, res) => {
    state.arrivals++;
    if (state.mode !== 'up') state.whileDown++;
    if (state.mode === 'hole') return; // accepts, never answers
    if (state.mode === '503') return json(res, 503, { error: 'down' });
    const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? 1);
    json(res, 200, {
      items: Array.from({ length: 10 }, (_, i) => ({ id: (page - 1) * 10 + i })).filter((x) => x.id < total),
      total_pages: Math.ceil(total / 10),
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    /** Nothing listens on the port (connection refused), until `up()`. */
    refuse: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
    listen: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

describe('outages during collect(), at defaults but a short outage: the walk waits and completes', () => {
  const strategy = pageNumber({ totalPages: (r) => r.data.total_pages });
  const ids = (items: unknown[]) => items.map((i) => (i as { id: number }).id);

  it.each(['503', 'refused', 'hole'] as const)(
    '%s for ~3 s after page 5: every item once, in order; few requests reach the API',
    async (kind) => {
      const api = await outageApi(300);
      const client = axios.create({ baseURL: api.url, timeout: 500 });
      const steady = attach(client);
      let pages = 0;
      const down = new Promise<void>((resolve) => {
        // The outage starts when page 5 is in, and ends 3 s later.
        void (async () => {
          while (pages < 5) await new Promise((r) => setTimeout(r, 2));
          if (kind === 'refused') await api.refuse();
          else api.state.mode = kind;
          await new Promise((r) => setTimeout(r, 3000));
          if (kind === 'refused') await api.listen();
          api.state.mode = 'up';
          resolve();
        })();
      });
      try {
        const items = await collect(client, '/items', { strategy, onProgress: (p) => (pages = p.pages) });
        await down;
        expect(ids(items)).toEqual(Array.from({ length: 300 }, (_, i) => i));
        expect(steady.stats().outages).toBe(1);
        // Refused connections never reach it; otherwise what was in flight, the run that tripped it, and ≤ 3 probes.
        expect(api.state.whileDown).toBeLessThanOrEqual(kind === 'refused' ? 0 : 12);
      } finally {
        steady.detach();
        await api.close().catch(() => undefined);
      }
    },
  );
});

describe('fail fast (the default for an attached instance)', () => {
  let server: TestServer;
  afterEach(() => server?.close());

  it('while the API is down, 1,000 requests reject at once with an ApiDownError (before any timer or I/O); only probes reach it', async () => {
    // "At once" as a property a busy machine cannot break: each rejection settles within microtasks, before a
    // macrotask queued beside it (no timer, no socket). The p99 in milliseconds is bench P8's.
    server = await startServer((_req, res) => json(res, 503, {}));
    const api = axios.create({ baseURL: server.url });
    const steady = attach(api, { retry: { baseDelay: 1 }, health: { minProbeMs: 60_000 } });
    await Promise.allSettled(Array.from({ length: 8 }, (_, i) => api.get(`/warm/${i}`)));
    expect(steady.health().state).toBe('down');
    const before = server.seen.arrivals.length;
    for (let i = 0; i < 1000; i++) {
      const request = api.get(`/x/${i}`).then(
        () => 'answered',
        (e: unknown) => e,
      );
      const first = await Promise.race([request, new Promise((resolve) => setImmediate(() => resolve('a macrotask first')))]);
      if (i === 0) {
        const error = first as ApiDownError;
        expect(error).toBeInstanceOf(ApiDownError);
        expect(axios.isAxiosError(error)).toBe(true);
        expect(error.code).toBe('ERR_API_DOWN');
        expect(error.message).toMatch(/the API is down since .* \(0 probes sent, last: status 503\); not waited/);
        expect(steadyInfo(error)).toMatchObject({ stoppedBy: 'api-down', attempts: [] });
      }
      expect(first).toBeInstanceOf(ApiDownError);
    }
    expect(server.seen.arrivals.length - before).toBe(0); // the next probe is a minute away
    expect(steady.stats().failures).toBeGreaterThanOrEqual(1000);
    steady.detach();
  });

  it('a retry whose backoff began while the API was up is turned away when the API is down by its end — not held for the probe', async () => {
    server = await startServer((_req, res) => json(res, 503, {}));
    const api = axios.create({ baseURL: server.url });
    const steady = attach(api, { retry: { baseDelay: 1, jitter: 'none' }, health: { minProbeMs: 60_000 } });
    // Fails once while the API is up, and backs off 1.5 s; the API goes down meanwhile (4 failures of the others).
    const slow = api.get('/slow', { steady: { retry: { baseDelay: 1500 } } }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await Promise.allSettled(Array.from({ length: 4 }, (_, i) => api.get(`/warm/${i}`)));
    expect(steady.health().state).toBe('down');
    // Before, its retry waited at the gate for the next probe, a minute away.
    const error = await Promise.race([slow, new Promise((resolve) => setTimeout(() => resolve('still waiting after 10 s'), 10_000))]);
    expect(error).toBeInstanceOf(ApiDownError);
    expect(steadyInfo(error as ApiDownError)).toMatchObject({ stoppedBy: 'api-down' });
    steady.detach();
  });

  it('a request with patience waits for the probe, and gets through when the API is back', async () => {
    let down = true;
    server = await startServer((_req, res) => (down ? json(res, 503, {}) : json(res, 200, { ok: true })));
    const api = axios.create({ baseURL: server.url });
    const steady = attach(api, { retry: { baseDelay: 1 }, health: { minProbeMs: 300 } });
    await Promise.allSettled(Array.from({ length: 8 }, (_, i) => api.get(`/warm/${i}`)));
    expect(steady.health().state).toBe('down');
    const waiting = api.get('/patient', { steady: { patience: 10_000 } });
    setTimeout(() => (down = false), 500);
    const response = await waiting;
    expect(response.data).toEqual({ ok: true });
    expect(steady.health().state).not.toBe('down');
    steady.detach();
  });
});

describe('what never opens the gate', () => {
  let server: TestServer;
  afterEach(() => server?.close());

  it('429s with Retry-After, however many', async () => {
    let n = 0;
    server = await startServer((_req, res) => (n++ % 2 === 0 ? json(res, 429, {}, { 'Retry-After': '0' }) : json(res, 200, {})));
    const api = axios.create({ baseURL: server.url });
    const steady = attach(api, { retry: { baseDelay: 1 } });
    await Promise.allSettled(Array.from({ length: 200 }, (_, i) => api.get(`/r/${i}`)));
    expect(steady.stats().outages).toBe(0);
    expect(steady.stats().rateLimited).toBeGreaterThan(50);
    steady.detach();
  });

  it('a flaky but alive API (20 % 503s, 5 % resets, at concurrency 8): thousands of requests, no outage', async () => {
    let seed = 11;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    server = await startServer((req, res) => {
      const roll = random();
      if (roll < 0.2) return json(res, 503, {});
      if (roll < 0.25) return void req.socket.destroy();
      json(res, 200, {});
    });
    const api = axios.create({ baseURL: server.url });
    const steady = attach(api, { retry: { baseDelay: 1, retries: 10 } });
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < 2000) await api.get(`/f/${next++}`).catch(() => undefined);
      }),
    );
    expect(steady.stats().outages).toBe(0);
    steady.detach();
  });
});

it('AxiosError is what an ApiDownError is', () => {
  expect(new ApiDownError({ headers: {} } as never, 0, 0, 0, undefined)).toBeInstanceOf(AxiosError);
});
