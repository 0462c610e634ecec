import axios from 'axios';
import { attach, collect, pageNumber, parseRateLimit, type QuotaState } from '../src/index.js';
import { PROBE_MS } from '../src/quota/constants.js';
import { QuotaTracker, type Outcome } from '../src/quota/tracker.js';
import type { QuotaReport } from '../src/quota/report.js';
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
      epochReset: true,
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
  const report = (remaining: number, resetAt: number, limit = 10): QuotaReport => ({ remaining, resetAt, limit, source: 'ratelimit' });
  const ok = (r?: QuotaReport): Outcome => ({ status: 200, report: r });

  it('charges every unanswered request against the freshest report, and holds until the reset', () => {
    const q = new QuotaTracker();
    const a = q.take(now);
    const b = q.take(now);
    const c = q.take(now);
    q.settle(a, ok(report(3, now + 5000)), now);
    expect(q.tokens(now)).toBe(1); // b and c are unanswered: either may already be counted, or not
    q.take(now);
    expect(q.holdUntil(now)).toBe(now + 5000);
    expect(q.spentUntil(now)).toBe(now + 5000);
    // Answers come back in any order: within a window the lowest remaining is the freshest news.
    q.settle(c, ok(report(1, now + 5000)), now);
    q.settle(b, ok(report(2, now + 5000)), now);
    expect(q.state(now)).toMatchObject({ remaining: 0, resetAt: now + 5000, limit: 10 });
  });

  it('after the reset one probe goes first; its report says how much came back (fixed, sliding, bucket)', () => {
    const q = new QuotaTracker();
    q.settle(q.take(now), ok(report(0, now + 1000)), now);
    const t = now + 1000;
    expect(q.holdUntil(t)).toBeUndefined(); // one may go…
    const probe = q.take(t);
    expect(q.holdUntil(t)).toBe(t + PROBE_MS); // …the rest wait for its answer (or PROBE_MS)
    // A sliding window: only 2 slots came back.
    q.settle(probe, ok(report(2, t + 300)), t + 10);
    expect(q.tokens(t + 10)).toBe(2);
    q.take(t + 10);
    q.take(t + 10);
    expect(q.holdUntil(t + 10)).toBe(t + 300);
  });

  it('a sliding window (its policy names the window): after a partial return, each slot is back one window after its answer', () => {
    const q = new QuotaTracker();
    const W = 4000;
    const slide = (remaining: number, resetAt: number): QuotaReport => ({
      remaining,
      resetAt,
      limit: 10,
      windowMs: W,
      source: 'ratelimit',
    });
    // Ten requests answered 10 ms apart fill the window; the oldest leaves 4 s after it (the reports say so).
    for (let i = 0; i < 10; i++) q.settle(q.take(now + 10 * i), ok(slide(9 - i, now + 4010)), now + 10 * i);
    expect(q.tokens(now + 100)).toBe(0);
    const t = now + 4050;
    q.settle(q.take(t), ok(slide(5, t + 1000)), t); // the probe: only part came back, so the window slides
    // From now on the own log says when each slot frees (answer + W), not the next rounded-up reset: the six
    // oldest answers (at +0…+50 ms) have left, four and the probe hold a slot.
    expect(q.tokens(t)).toBe(5);
    for (let i = 0; i < 5; i++) q.take(t);
    expect(q.holdUntil(t)).toBe(now + 60 + W); // the oldest answer still in the log frees then
    expect(q.tokens(now + 4100)).toBe(10 - 1 - 5); // the other four left; the probe and five unanswered remain
    // Another client of the same key: the server counts 3 more than this log and the unanswered; held back too.
    q.settle(q.take(now + 4100), ok(slide(0, now + 5000)), now + 4100);
    expect(q.tokens(now + 4100)).toBe(10 - 2 - 3 - 5);
  });

  it('a probe that fails without an answer lets the next one go; one that hangs stops holding at PROBE_MS', () => {
    const q = new QuotaTracker();
    q.settle(q.take(now), ok(report(0, now + 1000)), now);
    const t = now + 1000;
    const lost = q.take(t);
    expect(q.tokens(t)).toBe(0);
    q.settle(lost, undefined, t + 5); // connection reset: no response
    expect(q.tokens(t + 5)).toBe(1);
    q.take(t + 5); // hangs
    expect(q.tokens(t + 5 + PROBE_MS - 1)).toBe(0);
    expect(q.tokens(t + 5 + PROBE_MS)).toBe(1);
  });

  it('the hang found by random schedules: 200, then 429 with Retry-After: 0, then a reset — nothing stays held', () => {
    const q = new QuotaTracker();
    q.settle(q.take(now), ok(), now);
    q.settle(q.take(now), { status: 429, retryAfterMs: 0 }, now);
    const reset = q.take(now);
    q.settle(reset, undefined, now + 1);
    for (let t = now + 1; t < now + 10_000; t += 250) {
      const hold = q.holdUntil(t);
      if (hold !== undefined) expect(hold).toBeLessThanOrEqual(t + PROBE_MS);
    }
    expect(q.holdUntil(now + 10_000)).toBeUndefined();
  });

  it('without headers: the first 429 is provisional (one window, then a test request); a success drops it', () => {
    const q = new QuotaTracker();
    for (let i = 0; i < 10; i++) q.settle(q.take(now), ok(), now);
    q.settle(q.take(now + 100), { status: 429, retryAfterMs: 1000 }, now + 100);
    expect(q.state(now + 100)).toMatchObject({ limit: 10, source: '429' });
    const t = now + 1100;
    for (let i = 0; i < 10; i++) q.settle(q.take(t), ok(), t);
    const test = q.take(t); // the 11th: the test beyond the provisional limit
    expect(q.holdUntil(t)).toBeDefined();
    q.settle(test, ok(), t + 5);
    expect(q.state(t + 5)).toBeUndefined(); // a one-off 429: forgotten
    expect(q.holdUntil(t + 5)).toBeUndefined();
  });

  it('without headers: after a one-off 429 is forgotten, a later 429 counts what the API accepted since', () => {
    const q = new QuotaTracker();
    for (let i = 0; i < 10; i++) q.settle(q.take(now), ok(), now);
    q.settle(q.take(now + 100), { status: 429, retryAfterMs: 1000 }, now + 100);
    const t = now + 1100;
    for (let i = 0; i < 11; i++) q.settle(q.take(t), ok(), t); // the test went through: forgotten
    expect(q.state(t)).toBeUndefined();
    for (let i = 0; i < 7; i++) q.settle(q.take(t + 100), ok(), t + 100);
    q.settle(q.take(t + 200), { status: 429, retryAfterMs: 1000 }, t + 200);
    expect(q.state(t + 200)).toMatchObject({ limit: 7, source: '429' });
  });

  it('without headers: a second 429 confirms the limit and the window; it widens by one after clean windows', () => {
    const q = new QuotaTracker();
    for (let i = 0; i < 5; i++) q.settle(q.take(now), ok(), now);
    q.settle(q.take(now), { status: 429, retryAfterMs: 2000 }, now);
    let t = now + 2000;
    const sent = Array.from({ length: 6 }, () => q.take(t)); // 5 + the test
    for (const ticket of sent.slice(0, 4)) q.settle(ticket, ok(), t + 10);
    q.settle(q.take(t), { status: 429, retryAfterMs: 1500 }, t + 500);
    // 4 accepted so far; the pauses end 2 s apart: 4 per 2 s, from the pause's end.
    expect(q.state(t + 500)).toMatchObject({ limit: 4, resetAt: t + 4000 });
    // The 2 still in flight when the 429 came were accepted in its window too.
    for (const ticket of sent.slice(4)) q.settle(ticket, ok(), t + 520);
    expect(q.state(t + 520)).toMatchObject({ limit: 6, resetAt: t + 4000 });
    t += 2000; // window [t, t + 2000)
    for (let i = 0; i < 6; i++) {
      expect(q.holdUntil(t)).toBeUndefined();
      q.take(t);
    }
    expect(q.holdUntil(t)).toBe(t + 2000);
    expect(q.spentUntil(t)).toBe(t + 2000);
    // Used it all, no 429 — but the refused test put two such windows before the next widening.
    expect(q.state(t + 2000)).toMatchObject({ limit: 6 });
    for (let i = 0; i < 6; i++) q.take(t + 2000);
    expect(q.state(t + 4000)).toMatchObject({ limit: 7 });
  });

  it('without headers: each widening the API refuses doubles the clean windows before the next, up to 4; one it takes, the next comes at once', () => {
    // An API that takes `limit` per second, counted by the tracker's own windows.
    const q = new QuotaTracker();
    let t = now;
    let apiLimit = 5;
    /** One window: sends until the tracker holds; returns how many went and whether the API refused one. */
    const window = () => {
      let sent = 0;
      let refused = false;
      while (q.holdUntil(t) === undefined && sent < 50) {
        const ticket = q.take(t);
        sent++;
        if (sent > apiLimit) {
          q.settle(ticket, { status: 429, retryAfterMs: 1000 }, t + 1);
          refused = true;
          break;
        }
        q.settle(ticket, ok(), t + 1);
      }
      t = refused ? t + 1001 : (q.holdUntil(t) as number);
      return refused ? -sent : sent;
    };
    const sizes = Array.from({ length: 19 }, window);
    // Blind until the first 429 (-6), the provisional limit's test (-6), then widenings 2, 4 and 4 windows apart.
    expect(sizes).toEqual([-6, -6, 5, 5, -6, 5, 5, 5, 5, -6, 5, 5, 5, 5, -6, 5, 5, 5, 5]);
    apiLimit = 7; // the API raises its limit: each widening it takes brings the next at once
    // 6 and 7 taken (one window each), 8 refused: the gap starts again at two windows.
    expect(Array.from({ length: 6 }, window)).toEqual([6, 7, -8, 7, 7, -8]);
  });

  it('without headers: answers out of order do not pass the test early; the limit is what the API accepted', () => {
    // Under load the server handles requests out of the order they were sent: the test (sent last) may be
    // accepted while an earlier one is still to be refused.
    const q = new QuotaTracker();
    for (let i = 0; i < 10; i++) q.settle(q.take(now), ok(), now);
    q.settle(q.take(now + 100), { status: 429, retryAfterMs: 1000 }, now + 100);
    const t = now + 1100;
    const sent = Array.from({ length: 11 }, () => q.take(t)); // 10 + the test
    q.settle(sent[10] as number, ok(), t + 5); // the test, accepted first
    expect(q.state(t + 5)).toMatchObject({ limit: 10 }); // 1 accepted of 11 sent: not yet more than the limit
    for (const ticket of sent.slice(0, 9)) q.settle(ticket, ok(), t + 10);
    q.settle(sent[9] as number, { status: 429, retryAfterMs: 900 }, t + 15);
    expect(q.state(t + 15)).toMatchObject({ limit: 10, resetAt: t + 915 + 915 }); // the pauses end 915 ms apart
    expect(q.spentUntil(t + 15)).toBeUndefined(); // the pause itself is Retry-After's
  });

  it('without headers: every window starts its own count, so a 429 windows later is not charged for them all', () => {
    const q = new QuotaTracker();
    for (let i = 0; i < 5; i++) q.settle(q.take(now), ok(), now);
    q.settle(q.take(now), { status: 429, retryAfterMs: 1000 }, now);
    let t = now + 1000;
    for (let i = 0; i < 5; i++) q.settle(q.take(t), ok(), t);
    q.settle(q.take(t), { status: 429, retryAfterMs: 1000 }, t + 10); // confirms 5 per ~1 s
    expect(q.state(t + 10)).toMatchObject({ limit: 5 });
    t += 1010;
    for (let w = 0; w < 3; w++, t += 1010) {
      for (let i = 0; i < 3; i++) {
        expect(q.holdUntil(t)).toBeUndefined();
        q.settle(q.take(t), ok(), t + 1);
      }
    }
    // In the fourth window the API takes 1, then refuses — within the limit, counted from the last window known
    // to have started: the limit is 1, not the 10 accepted since the last 429.
    for (let i = 0; i < 2; i++) {
      expect(q.holdUntil(t)).toBeUndefined(); // dispatch asks first; the window rolls here
      const ticket = q.take(t);
      q.settle(ticket, i < 1 ? ok() : { status: 429, retryAfterMs: 1000 }, t + 1 + i);
    }
    expect(q.state(t + 2)).toMatchObject({ limit: 1 });
  });

  /** A limit of 5 confirmed from 429s, its window 1 s from `at` on: the first 429, then the refused test. */
  function confirmedFive(q: QuotaTracker, at: number): number {
    for (let i = 0; i < 5; i++) q.settle(q.take(at), ok(), at);
    q.settle(q.take(at), { status: 429, retryAfterMs: 1000 }, at);
    const t = at + 1000;
    for (let i = 0; i < 5; i++) q.settle(q.take(t), ok(), t);
    q.settle(q.take(t), { status: 429, retryAfterMs: 1000 }, t);
    expect(q.state(t)).toMatchObject({ limit: 5, resetAt: t + 2000 });
    return t + 1000; // the next window, which starts at the pause's end
  }

  it('without headers: a window the estimate started opens with a probe, alone; its success lets the rest go', () => {
    const q = new QuotaTracker();
    const t1 = confirmedFive(q, now);
    for (let i = 0; i < 5; i++) q.settle(q.take(t1), ok(), t1 + 1); // saturated
    const t2 = t1 + 1000; // rolled over by the estimate: the API's window may not have ended yet
    expect(q.holdUntil(t2)).toBeUndefined();
    const probe = q.take(t2);
    expect(q.holdUntil(t2 + 1)).toBeDefined(); // the others wait for it
    q.settle(probe, ok(), t2 + 5);
    for (let i = 0; i < 4; i++) {
      expect(q.holdUntil(t2 + 5)).toBeUndefined();
      q.take(t2 + 5);
    }
    expect(q.holdUntil(t2 + 5)).toBe(t2 + 1000);
  });

  it('without headers: the probe refused means the window is longer, not the limit lower', () => {
    const q = new QuotaTracker();
    const t1 = confirmedFive(q, now);
    for (let i = 0; i < 5; i++) q.settle(q.take(t1), ok(), t1 + 1);
    const t2 = t1 + 1000;
    q.settle(q.take(t2), { status: 429, retryAfterMs: 1000 }, t2 + 5); // the API's window had not ended
    // The limit stands; the window is the span between the pauses' ends: 2,005 ms.
    expect(q.state(t2 + 5)).toMatchObject({ limit: 5, resetAt: t2 + 1005 + 2005 });
  });

  it('without headers: refused soon after a probe that went through, the window is longer, not the limit lower', () => {
    // A learned limit below the API's: the probe took the old window's last place, and the next went into its 429.
    const q = new QuotaTracker();
    const t1 = confirmedFive(q, now);
    for (let i = 0; i < 5; i++) q.settle(q.take(t1), ok(), t1 + 1);
    const t2 = t1 + 1000;
    q.settle(q.take(t2), ok(), t2 + 5); // the probe
    q.settle(q.take(t2 + 5), { status: 429, retryAfterMs: 1000 }, t2 + 10); // 1 taken, under half the limit
    expect(q.state(t2 + 10)).toMatchObject({ limit: 5, resetAt: t2 + 1010 + 2010 });
  });

  it('without headers: a window of a minute, learned a few ms longer, is still waited for', () => {
    // Retry-After in whole seconds, rounded up: the span between the pauses' ends is 60,014 ms here.
    const q = new QuotaTracker();
    for (let i = 0; i < 5; i++) q.settle(q.take(now), ok(), now);
    q.settle(q.take(now), { status: 429, retryAfterMs: 60_000 }, now);
    const t = now + 60_000;
    for (let i = 0; i < 5; i++) q.settle(q.take(t), ok(), t + 10);
    q.settle(q.take(t), { status: 429, retryAfterMs: 60_000 }, t + 14);
    const t2 = t + 60_014;
    for (let i = 0; i < 5; i++) q.take(t2);
    expect(q.holdUntil(t2)).toBe(t2 + 60_014); // beyond maxPauseMs (60 s) by the rounding only
    expect(q.spentUntil(t2)).toBe(t2 + 60_014);
  });

  it('without headers: a provisional limit whose window ends before its test went holds for another', () => {
    const q = new QuotaTracker();
    for (let i = 0; i < 5; i++) q.settle(q.take(now), ok(), now);
    q.settle(q.take(now), { status: 429, retryAfterMs: 1000 }, now);
    const t = now + 1000;
    for (let i = 0; i < 3; i++) q.settle(q.take(t), ok(), t); // little demand: no test
    expect(q.state(t + 1000)).toMatchObject({ limit: 5 });
    for (let i = 0; i < 6; i++) q.settle(q.take(t + 1000), ok(), t + 1000); // the test went through: a one-off
    expect(q.state(t + 2000)).toBeUndefined();
  });

  it('without headers: past half a provisional limit, one request at a time against a fast API; together against a slow one', () => {
    const sentAtOnce = (rttMs: number): number => {
      const q = new QuotaTracker();
      for (let i = 0; i < 10; i++) {
        const ticket = q.take(now);
        q.settle(ticket, ok(), now + rttMs);
      }
      q.settle(q.take(now + rttMs), { status: 429, retryAfterMs: 5000 }, now + 2 * rttMs); // 10 per 5 s, provisional
      const t = now + 2 * rttMs + 5000;
      let sent = 0;
      while (q.holdUntil(t) === undefined && sent < 20) {
        q.take(t);
        sent++;
      }
      return sent;
    };
    // The limit may be twice the real one: 5 at once, then one at a time (here, nothing is answered yet).
    expect(sentAtOnce(10)).toBe(5);
    // 7 round trips of 400 ms, twice, do not fit in 4 s: all 10 and the test go, as without this rule.
    expect(sentAtOnce(400)).toBe(11);
  });

  it('never asks for a pause longer than maxPauseMs', () => {
    const q = new QuotaTracker();
    q.maxPauseMs = 1000;
    q.settle(q.take(now), ok({ remaining: 0, resetAt: now + 3_600_000, source: 'x-ratelimit' }), now);
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
