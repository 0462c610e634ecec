import axios from 'axios';
import { attach, collect, pageNumber, parseRateLimit, type QuotaState } from '../src/index.js';
import { QuotaTracker } from '../src/limit/quota.js';
import { startSimApi, type QuotaHeaders, type SimApi } from '../test/servers/sim-api.js';

const now = Date.parse('2026-11-23T10:00:00Z');

describe('parseRateLimit', () => {
  it('IETF draft ≤ 6: RateLimit-Limit / -Remaining / -Reset (delta seconds) and -Policy', () => {
    expect(
      parseRateLimit(
        { 'ratelimit-limit': '100', 'ratelimit-remaining': '7', 'ratelimit-reset': '30', 'ratelimit-policy': '100;w=60' },
        now,
      ),
    ).toEqual({
      limit: 100,
      remaining: 7,
      resetAt: now + 30_000,
      windowMs: 60_000,
      source: 'ratelimit-legacy',
    });
    expect(
      parseRateLimit({ 'RateLimit-Limit': '10, 10;w=1, 1000;w=3600', 'RateLimit-Remaining': '9', 'RateLimit-Reset': '1' }, now),
    ).toMatchObject({ limit: 10, remaining: 9, windowMs: 1000 });
  });

  it('draft 7: RateLimit: limit=, remaining=, reset=', () => {
    expect(parseRateLimit({ ratelimit: 'limit=10, remaining=3, reset=20', 'ratelimit-policy': '10;w=60' }, now)).toEqual({
      limit: 10,
      remaining: 3,
      resetAt: now + 20_000,
      windowMs: 60_000,
      source: 'ratelimit',
    });
  });

  it('draft 8+: RateLimit: "name";r=..;t=.. with RateLimit-Policy: "name";q=..;w=.. — the policy that runs out first', () => {
    expect(parseRateLimit({ ratelimit: '"default";r=50;t=30', 'ratelimit-policy': '"default";q=100;w=60' }, now)).toEqual({
      limit: 100,
      remaining: 50,
      resetAt: now + 30_000,
      windowMs: 60_000,
      source: 'ratelimit-structured',
    });
    expect(
      parseRateLimit(
        { ratelimit: '"burst";r=5;t=1, "daily";r=900;t=3600', 'ratelimit-policy': '"burst";q=10;w=1, "daily";q=1000;w=86400' },
        now,
      ),
    ).toMatchObject({ limit: 10, remaining: 5, resetAt: now + 1000 });
  });

  it('GitHub x-ratelimit-*: epoch reset corrected for clock skew with Date; delta resets; used and resource', () => {
    const serverNow = now + 120_000; // the server's clock runs 2 minutes ahead of ours
    const headers = {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-reset': String((serverNow + 600_000) / 1000),
      'x-ratelimit-resource': 'core',
      date: new Date(serverNow).toUTCString(),
    };
    expect(parseRateLimit(headers, now)).toEqual({
      limit: 5000,
      remaining: 4999,
      resetAt: now + 600_000,
      source: 'x-ratelimit',
      resource: 'core',
    });
    expect(parseRateLimit({ 'x-ratelimit-limit': '60', 'x-ratelimit-used': '58', 'x-ratelimit-reset': '45' }, now)).toMatchObject({
      remaining: 2,
      resetAt: now + 45_000,
    });
  });

  it('ignores garbage, negative and huge values without throwing', () => {
    const junk: Record<string, string>[] = [
      {},
      { 'content-type': 'application/json' },
      { 'ratelimit-remaining': '-1', 'ratelimit-reset': '10' },
      { 'ratelimit-remaining': 'lots', 'ratelimit-reset': '10' },
      { 'ratelimit-remaining': '5', 'ratelimit-reset': '1e3' },
      { 'ratelimit-remaining': '5', 'ratelimit-reset': '99999999999' },
      { ratelimit: 'limit=ten, remaining=, reset=-5' },
      { ratelimit: '"x";r=-1;t=5' },
      { ratelimit: '"x";r=1;t=' },
      { ratelimit: ';;;===,,,"' },
      { ratelimit: `limit=${'9'.repeat(5000)}` },
      { 'x-ratelimit-remaining': '5' },
      { 'x-ratelimit-remaining': '5', 'x-ratelimit-reset': '9999999999999999' },
    ];
    for (const headers of junk) expect(parseRateLimit(headers, now)).toBeUndefined();
    expect(parseRateLimit(null, now)).toBeUndefined();
  });
});

describe('QuotaTracker', () => {
  it('counts requests in flight against the stated remaining and holds until the reset', () => {
    const q = new QuotaTracker();
    const a = q.take(now);
    const b = q.take(now);
    q.take(now);
    // a's response says 3 left; b and c were sent after a, so only 1 is really left.
    q.observe({ remaining: 3, resetAt: now + 5000, source: 'ratelimit' }, a, 200, undefined, now);
    expect(q.tokens(now)).toBe(1);
    expect(q.holdUntil(now)).toBeUndefined();
    q.take(now);
    expect(q.holdUntil(now)).toBe(now + 5000);
    // An older report (b < newest seq seen? no: b > a, so it is newer) replaces it.
    q.observe({ remaining: 0, resetAt: now + 4800, source: 'ratelimit' }, b, 200, undefined, now);
    expect(q.holdUntil(now)).toBe(now + 4800);
    // After the reset, the stated limit applies again until a new report arrives.
    expect(q.holdUntil(now + 4800)).toBeUndefined();
  });

  it('learns the limit and the window from 429s when the API sends no rate-limit headers', () => {
    const q = new QuotaTracker();
    let t = now;
    for (let i = 0; i < 5; i++) q.observe(undefined, q.take(t), 200, undefined, t);
    const state = q.observe(undefined, q.take(t), 429, 2000, t) as QuotaState;
    expect(state).toMatchObject({ limit: 5, remaining: 0, resetAt: now + 2000, source: '429' });
    expect(q.holdUntil(t)).toBe(now + 2000);
    t = now + 2000; // window 2: five go, the sixth is a probe, the seventh waits for the probe's answer
    for (let i = 0; i < 5; i++) {
      expect(q.holdUntil(t)).toBeUndefined();
      q.take(t);
    }
    expect(q.holdUntil(t)).toBeUndefined();
    const probe = q.take(t);
    expect(q.holdUntil(t)).toBe(t + 50);
    q.observe(undefined, probe, 429, 1500, t + 500);
    expect(q.holdUntil(t + 500)).toBe(now + 4000); // window length learned: 2 s
  });

  it('never asks for a pause longer than maxPauseMs', () => {
    const q = new QuotaTracker();
    q.maxPauseMs = 1000;
    q.observe({ remaining: 0, resetAt: now + 3_600_000, source: 'x-ratelimit' }, q.take(now), 200, undefined, now);
    expect(q.holdUntil(now)).toBeUndefined();
  });
});

describe('adaptive quota against a real fixed-window server', () => {
  let sim: SimApi;
  afterEach(() => sim?.close());

  it.each(['draft6', 'draft7', 'draft8', 'xrate'] as QuotaHeaders[])('%s headers: no 429 at all, no quota given', async (headers) => {
    sim = await startSimApi({ items: 600, pageSize: 10, latencyMs: 5, quota: { limit: 20, windowMs: 1000, headers } });
    const api = axios.create({ baseURL: sim.url });
    const events: QuotaState[] = [];
    const pauses: string[] = [];
    const steady = attach(api, { onQuota: (e) => events.push(e), onPause: (e) => pauses.push(e.source) });
    const items = await collect(api, '/page', { strategy: pageNumber({ totalPages: (r) => r.data.total_pages }), concurrency: 8 });
    expect(items).toHaveLength(600);
    expect(sim.stats.rateLimited).toBe(0);
    expect(sim.stats.requests).toBe(60);
    expect(steady.quota()).toMatchObject({ limit: 20 });
    expect(events.length).toBeGreaterThan(0);
    expect(pauses.length).toBeGreaterThan(0); // 60 pages at 20 per second: the quota ran out at least twice
    expect(pauses.every((p) => p.startsWith('quota ('))).toBe(true);
    expect(steady.stats().pauses).toBe(pauses.length);
    steady.detach();
  });

  it('with only Retry-After on 429s, 429s stay few and every item arrives', async () => {
    sim = await startSimApi({ items: 1000, pageSize: 10, latencyMs: 5, quota: { limit: 20, windowMs: 1000, headers: 'none' } });
    const api = axios.create({ baseURL: sim.url });
    const steady = attach(api, { retry: { retries: 10 } });
    const items = await collect(api, '/page', { strategy: pageNumber({ totalPages: (r) => r.data.total_pages }), concurrency: 8 });
    expect(items).toHaveLength(1000);
    // First window: up to `concurrency` overshoot while learning; then one probe per window at most.
    expect(sim.stats.rateLimited).toBeLessThanOrEqual(8 + 5);
    steady.detach();
  });

  it('quota: false turns it off (and then the 429s come back)', async () => {
    sim = await startSimApi({ items: 400, pageSize: 10, latencyMs: 5, quota: { limit: 20, windowMs: 1000, headers: 'draft7' } });
    const api = axios.create({ baseURL: sim.url });
    const steady = attach(api, { quota: false, retry: { retries: 10 } });
    await collect(api, '/page', { strategy: pageNumber({ totalPages: (r) => r.data.total_pages }), concurrency: 8 });
    expect(sim.stats.rateLimited).toBeGreaterThan(0);
    expect(steady.quota()).toBeUndefined();
    steady.detach();
  });
});
