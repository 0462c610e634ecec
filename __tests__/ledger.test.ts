// The fleet ledger's Lua scripts, run by a real redis-server (started here on a free loopback port, stopped
// by pid): what each answer is, given what was granted, answered and reported before it.
import type { Redis } from 'ioredis';
import { fleetAdmission } from '../src/fleet/admission.js';
import { FleetLedger } from '../src/fleet/ledger.js';
import type { Admission, Grant } from '../src/fleet/verdict.js';
import { PROBE_MS } from '../src/quota/constants.js';
import type { QuotaReport } from '../src/quota/report.js';
import { startRedisWithClient, type RedisWithClient } from '../test/servers/redis.js';

let redis: RedisWithClient | undefined;
let client: Redis;
let ids = 0;
let ledger: FleetLedger;

beforeAll(async () => {
  redis = await startRedisWithClient();
  client = redis.client;
});
afterAll(() => redis?.stop());
beforeEach(() => {
  ledger = new FleetLedger(client, `ledger-${++ids}`);
});

/** What a response's rate-limit headers said. */
const report = (remaining: number, resetInMs: number): QuotaReport => ({ remaining, resetAt: Date.now() + resetInMs, source: 'ratelimit' });

async function grant(): Promise<Grant> {
  const answer = await ledger.take(100, 60_000);
  if (!answer?.go || !answer.grant) throw new Error(`expected a grant, got ${JSON.stringify(answer)}`);
  return answer.grant;
}

/** done() and pause() are fire and forget: every answer given so far reported, and a PING behind the rest. */
const settled = () => ledger.reported().then(() => client.ping());

/** Calls of a Redis command so far (INFO commandstats). */
async function calls(command: string): Promise<number> {
  const stats = await client.info('commandstats');
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
}

it('runs its scripts by SHA: the text crosses once per script, and again only after Redis lost it (NOSCRIPT)', async () => {
  await client.script('FLUSH');
  const [eval0, sha0] = [await calls('eval'), await calls('evalsha')];
  for (let i = 0; i < 20; i++) ledger.done(await grant(), undefined, Date.now(), { status: 200 });
  await settled();
  // take and done: each loaded once by EVAL after its first NOSCRIPT (a failed call, not counted in `calls`);
  // the other 40 calls by SHA.
  expect((await calls('eval')) - eval0).toBe(2);
  expect((await calls('evalsha')) - sha0).toBe(40);
  await client.script('FLUSH'); // a restart, or SCRIPT FLUSH: the next call loads it again
  await grant();
  expect((await calls('eval')) - eval0).toBe(3);
});

it('grants and counts every dispatch while nothing is reported', async () => {
  const grants = await Promise.all(Array.from({ length: 5 }, grant));
  expect(new Set(grants.map((g) => g.entry)).size).toBe(5);
});

it('while nothing is known, grants only while fewer than the blind cap (maxConcurrent) are unanswered', async () => {
  const first = await ledger.take(2, 60_000);
  expect(first).toMatchObject({ go: true });
  expect(await ledger.take(2, 60_000)).toMatchObject({ go: true });
  expect(await ledger.take(2, 60_000)).toMatchObject({ go: false, reason: 'in-flight' });
  ledger.done((first as { grant: Grant }).grant);
  await settled();
  expect(await ledger.take(2, 60_000)).toMatchObject({ go: true });
});

it('a count lapses after its expiration: a crashed process holds no capacity longer than its jobs', async () => {
  expect(await ledger.take(1, 300)).toMatchObject({ go: true }); // never answered
  expect(await ledger.take(1, 300)).toMatchObject({ go: false, reason: 'in-flight' });
  await new Promise((resolve) => setTimeout(resolve, 400));
  expect(await ledger.take(1, 300)).toMatchObject({ go: true });
});

it('charges what remains with every unanswered dispatch of the fleet, then waits for the reset', async () => {
  const first = await grant();
  ledger.done(first, report(3, 5_000));
  await settled();
  // 3 remain: three more go out; a fourth would exceed it while those are unanswered.
  const inFlight = [await grant(), await grant(), await grant()];
  const fourth = await ledger.take(100, 60_000);
  expect(fourth).toMatchObject({ go: false, reason: 'in-flight' });
  expect((fourth as Extract<Admission, { go: false }>).waitMs).toBeLessThanOrEqual(50);
  // One comes back having seen the other two counted: 0 remain — spent until the reset, ~5 s away.
  ledger.done(inFlight[2], report(0, 5_000));
  ledger.done(inFlight[0]);
  ledger.done(inFlight[1]);
  await settled();
  const spent = await ledger.take(100, 60_000);
  expect(spent).toMatchObject({ go: false, reason: 'spent' });
  expect((spent as Extract<Admission, { go: false }>).waitMs).toBeGreaterThan(4_000);
});

it('asks that come together are granted in one call as one by one would: within maxConcurrent and what remains', async () => {
  const fleet = `axios-steady:{ledger-${ids}}:fleet`;
  ledger.done(await grant(), report(5, 10_000));
  await settled();
  const n = Number(await client.hget(fleet, 'n'));
  const ask = (maxConcurrent: number) => ledger.acquire({ quota: true, blindCap: 100, expiration: 60_000, maxConcurrent, minTime: 0 });
  const [before, zadd] = [await calls('evalsha'), await calls('zadd')];
  const first = await Promise.all(Array.from({ length: 6 }, () => ask(3)));
  expect((await calls('evalsha')) - before).toBe(1); // one TAKE for the six
  expect((await calls('zadd')) - zadd).toBe(1); // and one ZADD inside it for the three it granted
  const granted = first.filter((a) => a?.go).map((a) => (a as { grant: Grant }).grant.entry);
  expect(granted).toHaveLength(3); // maxConcurrent
  expect(first.slice(3)).toEqual(Array.from({ length: 3 }, () => expect.objectContaining({ go: false, reason: 'in-flight' })));
  // 5 remain, 3 unanswered: two more, numbered on from the first three; then none while those five are out.
  const second = await Promise.all(Array.from({ length: 4 }, () => ask(10)));
  const more = second.filter((a) => a?.go).map((a) => (a as { grant: Grant }).grant.entry);
  expect(more).toHaveLength(2);
  expect([...granted, ...more].map((entry) => Number(entry.split(':')[0]))).toEqual([n, n + 1, n + 2, n + 3, n + 4]);
  expect(await client.hget(fleet, 'n')).toBe(String(n + 5));
  expect(await client.zcard(`axios-steady:{ledger-${ids}}:unanswered`)).toBe(5);
  expect(second.slice(2)).toEqual([expect.objectContaining({ go: false }), expect.objectContaining({ go: false })]);
});

it('an answer that overtook earlier dispatches does not free their share', async () => {
  const early = [await grant(), await grant()];
  const late = await grant();
  // The late dispatch is answered first, reporting 2 left: the two early ones may not have arrived yet.
  ledger.done(late, report(2, 5_000));
  await settled();
  expect(await ledger.take(100, 60_000)).toMatchObject({ go: false, reason: 'in-flight' });
  ledger.done(early[0], report(1, 5_000));
  ledger.done(early[1], report(0, 5_000));
  await settled();
  expect(await ledger.take(100, 60_000)).toMatchObject({ go: false, reason: 'spent' });
});

it('within a window the lowest remaining wins, whatever order answers come in; a later window replaces it', async () => {
  const [a, b, c] = [await grant(), await grant(), await grant()];
  ledger.done(a, report(5, 10_000));
  ledger.done(b, report(9, 10_000)); // older news of the same window
  await settled();
  const [d, e, f, g] = [await grant(), await grant(), await grant(), await grant()];
  // c–g unanswered = 5 = what remains: full
  expect(await ledger.take(100, 60_000)).toMatchObject({ go: false, reason: 'in-flight' });
  for (const x of [c, d, e, f]) ledger.done(x);
  // A report from a window resetting 30 s later: a new window, 50 left.
  ledger.done(g, report(50, 40_000));
  await settled();
  expect(await ledger.take(100, 60_000)).toMatchObject({ go: true });
  // News from the previous window (reset 10 s away) no longer counts.
  const i = await grant();
  ledger.done(i, report(0, 10_000));
  await settled();
  expect(await ledger.take(100, 60_000)).toMatchObject({ go: true });
});

it('reports of one window keep the earlier reset, the tighter bound (resets come rounded up to whole seconds)', async () => {
  const [a, b, c] = [await grant(), await grant(), await grant()];
  ledger.done(a, report(1, 10_000));
  ledger.done(b, report(2, 9_300)); // more remaining (older news), but an earlier reset of the same window
  ledger.done(c, report(0, 9_900));
  await settled();
  const spent = await ledger.take(100, 60_000);
  expect(spent).toMatchObject({ go: false, reason: 'spent' });
  expect((spent as Extract<Admission, { go: false }>).waitMs).toBeLessThanOrEqual(9_300);
  expect((spent as Extract<Admission, { go: false }>).waitMs).toBeGreaterThan(7_000); // a busy machine may take a while
});

describe('after a reported window resets, one probe goes first', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  /** A window spent until its reset, `ms` from now, then that reset passed. */
  async function spentAndReset(ms: number): Promise<void> {
    ledger.done(await grant(), report(0, ms));
    await settled();
    expect(await ledger.take(100, 60_000)).toMatchObject({ go: false, reason: 'spent' });
    await sleep(ms + 50);
  }

  it('the rest wait for its report, which says what came back', async () => {
    await spentAndReset(200);
    const probe = await grant();
    const waiting = await ledger.take(100, 60_000);
    expect(waiting).toMatchObject({ go: false, reason: 'in-flight' });
    expect((waiting as Extract<Admission, { go: false }>).waitMs).toBeLessThanOrEqual(50);
    ledger.done(probe, report(2, 5_000));
    await settled();
    // 2 came back: two go, a third waits for them.
    expect(await ledger.take(100, 60_000)).toMatchObject({ go: true });
    expect(await ledger.take(100, 60_000)).toMatchObject({ go: true });
    expect(await ledger.take(100, 60_000)).toMatchObject({ go: false, reason: 'in-flight' });
  });

  it('a probe given back unsent, or failed without an answer, lets the next grant probe at once', async () => {
    await spentAndReset(200);
    ledger.done(await grant(), undefined, Date.now(), 'unsent');
    await settled();
    const second = await grant();
    expect(await ledger.take(100, 60_000)).toMatchObject({ go: false, reason: 'in-flight' });
    ledger.done(second); // no answer (a reset connection)
    await settled();
    await grant();
  });

  it('a probe answered with success and no rate-limit headers: the API stopped reporting, the blind cap rules', async () => {
    await spentAndReset(200);
    ledger.done(await grant(), undefined, Date.now(), { status: 200 });
    await settled();
    const blind = [await ledger.take(3, 60_000), await ledger.take(3, 60_000), await ledger.take(3, 60_000)];
    expect(blind.every((answer) => answer?.go)).toBe(true);
    expect(await ledger.take(3, 60_000)).toMatchObject({ go: false, reason: 'in-flight' });
  });

  it('a probe never answered stops holding the others after PROBE_MS (its process may have died)', async () => {
    await spentAndReset(100);
    await grant(); // never answered
    expect(await ledger.take(100, 60_000)).toMatchObject({ go: false, reason: 'in-flight' });
    await sleep(PROBE_MS + 50);
    await grant();
  });
});

it('a pause stops every process until it ends; a shorter pause never shortens it', async () => {
  ledger.pause(3_000);
  ledger.pause(100);
  await settled();
  const answer = await ledger.check();
  expect(answer).toMatchObject({ go: false, reason: 'paused' });
  expect((answer as Extract<Admission, { go: false }>).waitMs).toBeGreaterThan(2_500);
  expect(await ledger.take(100, 60_000)).toMatchObject({ go: false, reason: 'paused' });
});

describe('answers report together: a batch of grants costs about one DONE, not one each', () => {
  const unanswered = (entry: string) => client.zscore(`axios-steady:{ledger-${ids}}:unanswered`, entry);

  it("answers wait for their siblings (this process' other unanswered grants) and go in one DONE", async () => {
    const grants = await Promise.all(Array.from({ length: 8 }, grant));
    const before = await calls('evalsha');
    for (const g of grants) ledger.done(g, undefined, Date.now(), { status: 200 });
    await settled();
    expect((await calls('evalsha')) - before).toBe(1);
    for (const g of grants) expect(await unanswered(g.entry)).toBeNull();
  });

  it('answers that come while a DONE is on its way go together in the next one', async () => {
    const a = await grant();
    const before = await calls('evalsha');
    // No sibling to wait for: a's answer goes at once; the two reports after it (from requests Redis did not
    // count) wait for its DONE and go in one.
    ledger.done(a, report(5, 10_000));
    ledger.done(undefined, report(4, 10_000));
    ledger.done(undefined, report(3, 10_000));
    await settled();
    expect((await calls('evalsha')) - before).toBe(2);
    expect(await client.hget(`axios-steady:{ledger-${ids}}:fleet`, 'rem')).toBe('3');
  });

  it('a 429 goes at once, and takes the answers waiting for it along; the rest still wait', async () => {
    const [a, b, c] = [await grant(), await grant(), await grant()];
    ledger.done(a, undefined, Date.now(), { status: 200 });
    ledger.done(b, undefined, Date.now(), { status: 429, retryAfterMs: 1_000 });
    await client.ping(); // behind the DONE on the same connection: it ran
    expect(await unanswered(a.entry)).toBeNull();
    expect(await unanswered(b.entry)).toBeNull();
    expect(await client.hget(`axios-steady:{ledger-${ids}}:fleet`, 'pend')).not.toBeNull(); // the 429 was heard
    expect(await unanswered(c.entry)).not.toBeNull();
  });

  it('an answer waits for its siblings only a few ms: nothing else needs to happen for it to go', async () => {
    const [a, b] = [await grant(), await grant()];
    ledger.done(a, report(5, 10_000));
    let reported = false;
    while (!reported) reported = (await unanswered(a.entry)) === null; // no reported(): the hold ends by itself
    expect(await client.hget(`axios-steady:{ledger-${ids}}:fleet`, 'rem')).toBe('5');
    expect(await unanswered(b.entry)).not.toBeNull();
  });
});

it('check() counts nothing: it only says whether the fleet is paused', async () => {
  expect(await ledger.check()).toEqual({ go: true });
  expect(await client.exists(`axios-steady:{ledger-${ids}}:unanswered`)).toBe(0);
  ledger.pause(2_000);
  await settled();
  expect(await ledger.check()).toMatchObject({ go: false, reason: 'paused' });
});

it('keys share one Redis Cluster slot through the {id} hashtag', async () => {
  await grant();
  const keys = await client.keys(`axios-steady:{ledger-${ids}}:*`);
  expect(keys.sort()).toEqual([`axios-steady:{ledger-${ids}}:fleet`, `axios-steady:{ledger-${ids}}:unanswered`]);
});

it('fails open: when Redis answers with an error, or not within a second, take() resolves undefined', async () => {
  await client.set(`axios-steady:{ledger-${ids}}:fleet`, 'not a hash'); // WRONGTYPE for every script
  expect(await ledger.take(100, 60_000)).toBeUndefined();
  await client.del(`axios-steady:{ledger-${ids}}:fleet`);
  // Redis stops serving clients for 1.5 s: the ledger stops waiting after 1 s.
  await client.call('CLIENT', 'PAUSE', '1500', 'ALL');
  const started = Date.now();
  expect(await ledger.take(100, 60_000)).toBeUndefined();
  expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  expect(await ledger.take(100, 60_000)).toMatchObject({ go: true }); // once Redis serves again
});

describe('the quota learned from 429s without rate-limit headers, kept for the whole fleet', () => {
  const ok = { status: 200 };
  const refused = (retryAfterMs: number) => ({ status: 429, retryAfterMs });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  // The learned window runs from the epoch's first grant to the pause's end: a second or more here, so a busy
  // machine cannot make a window pass while a test drains it. Only the pause (PAUSE_MS) is waited out.
  const PAUSE_MS = 100;

  /** `count` grants answered 200 (from any process: the ledger only sees grants), then a second passes. */
  async function answered(count: number): Promise<void> {
    for (let i = 0; i < count; i++) ledger.done(await grant(), undefined, Date.now(), ok);
    await sleep(1000);
  }

  /** A 429 event as a process reports it: the answer to the ledger, the pause it stores (pauseLimiter). */
  async function event(g: Grant): Promise<void> {
    ledger.done(g, undefined, Date.now(), refused(PAUSE_MS));
    await ledger.pause(PAUSE_MS);
  }

  /** Until the fleet's pause is over. */
  async function pauseOver(): Promise<void> {
    while (!(await ledger.check(true))?.go) await sleep(10);
  }

  /** Once the pause is over, grants until refused (or `max` went); returns what went and the refusal. */
  async function drain(max = 20): Promise<{ went: Grant[]; refusal: Admission | undefined }> {
    await pauseOver();
    const went: Grant[] = [];
    while (went.length < max) {
      const answer = await ledger.take(100, 60_000);
      if (!answer?.go || !answer.grant) return { went, refusal: answer };
      went.push(answer.grant);
    }
    return { went, refusal: undefined };
  }

  /**
   * A provisional limit's window against a fast API: past half of it grants go one at a time, each once those
   * before were answered (200 here). Returns every grant, those of the last round (still unanswered), and the
   * refusal that ended it.
   */
  async function drainSerial(): Promise<{ went: Grant[]; open: Grant[]; refusal: Admission | undefined }> {
    const all: Grant[] = [];
    for (;;) {
      const { went, refusal } = await drain();
      all.push(...went);
      if (refusal?.go !== false || refusal.reason !== 'in-flight') return { went: all, open: went, refusal };
      for (const g of went) ledger.done(g, undefined, Date.now(), ok);
      await settled();
    }
  }

  /** A limit of 5 confirmed: the first 429, the provisional window to its test, the test refused. */
  async function confirmFive(): Promise<void> {
    await answered(5);
    await event(await grant());
    const { open } = await drainSerial();
    const test = open.pop() as Grant;
    for (const g of open) ledger.done(g, undefined, Date.now(), ok);
    await sleep(1000);
    await event(test); // 5 per ~1.1 s window
  }

  it('a first 429 gives a provisional limit — what the API accepted before it — and one test beyond it', async () => {
    await answered(5);
    await event(await grant());
    // It may be twice the real one (what was accepted before the 429 may span two of the API's windows): past
    // its half, one grant at a time — the API answers in ms, and the window is 1.1 s.
    const half = await drain();
    expect(half.went).toHaveLength(2); // half of 5; the next once these were answered
    expect(half.refusal).toMatchObject({ go: false, reason: 'in-flight' });
    for (const g of half.went) ledger.done(g, undefined, Date.now(), ok);
    await settled();
    const third = await drain();
    expect(third.went).toHaveLength(1);
    ledger.done(third.went[0], undefined, Date.now(), ok);
    await settled();
    const { went, refusal } = await drainSerial();
    expect(went).toHaveLength(3); // with the 3 before: the 5 the API accepted, and the test
    expect(refusal).toMatchObject({ go: false, reason: 'learned' });
    // Spent until the learned window ends: the span from the first grant to the pause's end, ~1.1 s.
    expect((refusal as Extract<Admission, { go: false }>).waitMs).toBeGreaterThan(500);
  });

  it('the test going through raises the limit by one and the next grant tests again; the window ends it', async () => {
    await answered(5);
    await event(await grant());
    const { went } = await drainSerial();
    expect(went).toHaveLength(6);
    ledger.done(went[5], undefined, Date.now(), ok);
    await settled();
    const next = await drain();
    expect(next.went).toHaveLength(1); // the new test
    const waitMs = (next.refusal as Extract<Admission, { go: false }>).waitMs;
    expect(next.refusal).toMatchObject({ go: false, reason: 'learned' });
    // Unconfirmed at the window's end: the 429 was a one-off, and costs nothing more.
    await sleep(waitMs + 10);
    expect(await drain()).toMatchObject({ went: { length: 20 }, refusal: undefined });
  });

  it('a second 429 confirms: the limit is what the API accepted between the two events, and no test follows', async () => {
    await confirmFive(); // the test is refused: the limit was real
    const second = await drain();
    expect(second.went).toHaveLength(5);
    expect(second.refusal).toMatchObject({ go: false, reason: 'learned' });
  });

  it('against a slow API the provisional window goes at once: one at a time would bring the test too late', async () => {
    await answered(5);
    const slow = await grant();
    await sleep(200); // its round trip: 200 ms; one at a time from half of 5 to the test, twice, is 2 s > 1.1 s
    await event(slow);
    const { went, refusal } = await drain();
    expect(went).toHaveLength(6);
    expect(refusal).toMatchObject({ go: false, reason: 'learned' });
  });

  it('a provisional limit whose window ended before its test went holds for another', async () => {
    await answered(5);
    await event(await grant());
    const { went, refusal } = await drain();
    expect(went).toHaveLength(2); // little demand: half of it, answered, and no test
    for (const g of went) ledger.done(g, undefined, Date.now(), ok);
    await settled();
    await sleep((refusal as Extract<Admission, { go: false }>).waitMs + 1200); // past the window's end (~1.2 s)
    const next = await drain();
    expect(next.went).toHaveLength(2); // half of it again, then one at a time (forgotten, 20 would go)
    expect(next.refusal).toMatchObject({ go: false, reason: 'in-flight' });
  });

  it('the limit is what the API accepted: successes in flight when the 429 came count, its siblings do not', async () => {
    await answered(4);
    const inFlight = [await grant(), await grant(), await grant()];
    await event(inFlight[2]); // 4 accepted so far
    ledger.done(inFlight[0], undefined, Date.now(), ok); // sent before the 429'd one, accepted: 5
    ledger.done(inFlight[1], undefined, Date.now(), refused(PAUSE_MS)); // a sibling of the event
    const { went } = await drainSerial();
    expect(went).toHaveLength(6); // 5 and the test
  });

  it('a grant given back unsent (the gate closed while it queued) frees its place in the window', async () => {
    await answered(5);
    await event(await grant());
    const { went, open } = await drainSerial();
    expect(went).toHaveLength(6);
    ledger.done(open[0], undefined, Date.now(), 'unsent'); // the test, given back
    await settled();
    expect(await drain()).toMatchObject({ went: { length: 1 }, refusal: { go: false, reason: 'learned' } });
  });

  it('a window the estimate started opens with one probe: refused, the window is longer and the limit stands', async () => {
    await confirmFive();
    const second = await drain();
    expect(second.went).toHaveLength(5);
    for (const g of second.went) ledger.done(g, undefined, Date.now(), ok);
    await sleep((second.refusal as Extract<Admission, { go: false }>).waitMs + 10);
    // The estimated window has ended: one probe goes, the rest wait for its answer.
    const probe = await drain();
    expect(probe.went).toHaveLength(1);
    expect(probe.refusal).toMatchObject({ go: false, reason: 'in-flight' });
    await event(probe.went[0]); // the API's window had not ended
    const third = await drain();
    // The limit stands: 5 (its refused test put two saturated windows before the next widening).
    expect(third.went).toHaveLength(5);
    // A probe that goes through opens the window for the rest.
    for (const g of third.went) ledger.done(g, undefined, Date.now(), ok);
    await sleep((third.refusal as Extract<Admission, { go: false }>).waitMs + 10);
    const next = await drain(1);
    expect(await ledger.take(100, 60_000)).toMatchObject({ go: false, reason: 'in-flight' });
    ledger.done(next.went[0], undefined, Date.now(), ok);
    await settled();
    expect((await drain()).went).toHaveLength(4); // 5 with the probe
  });

  it('refused soon after a probe that went through, the window is longer and the limit stands', async () => {
    await confirmFive();
    const second = await drain();
    for (const g of second.went) ledger.done(g, undefined, Date.now(), ok);
    await sleep((second.refusal as Extract<Admission, { go: false }>).waitMs + 10);
    const probe = await drain();
    ledger.done(probe.went[0], undefined, Date.now(), ok); // it took the old window's last place
    await settled();
    const rest = await drain();
    expect(rest.went).toHaveLength(4);
    ledger.done(rest.went[0], undefined, Date.now(), ok);
    await event(rest.went[1] as Grant); // 2 taken in this window, under half the limit
    expect((await drain()).went).toHaveLength(5); // not 2: the limit stands
  });

  it('after a window not used to the end, one the estimate started lets go what the count allows, then probes', async () => {
    await confirmFive();
    const second = await drain(3); // 3 of the 5: the count since this window (a pause's end) is 3
    for (const g of second.went) ledger.done(g, undefined, Date.now(), ok);
    await settled();
    await sleep(1300); // past the window's end: the next is the estimate's
    const free = await drain();
    // 2 more make 5 since the last window known to have started: they could be the API's same window.
    expect(free.went).toHaveLength(2);
    expect(free.refusal).toMatchObject({ go: false, reason: 'in-flight' }); // the probe waits for them
    for (const g of free.went) ledger.done(g, undefined, Date.now(), ok);
    await settled();
    const probe = await drain();
    expect(probe.went).toHaveLength(1);
    expect(probe.refusal).toMatchObject({ go: false, reason: 'in-flight' }); // the rest wait for it
    ledger.done(probe.went[0], undefined, Date.now(), ok);
    await settled();
    expect(await drain()).toMatchObject({ went: { length: 2 }, refusal: { go: false, reason: 'learned' } });
  });

  it('a widening the API refuses doubles the saturated windows before the next (2, then 4); one it takes, the next comes at once', async () => {
    /** One window used to the end: its grants (a window a roll started opens with a probe), all answered. */
    async function window(refuseLast = false): Promise<number> {
      let { went: open, refusal } = await drain();
      let count = open.length;
      while (refusal?.go === false && refusal.reason === 'in-flight') {
        for (const g of open) ledger.done(g, undefined, Date.now(), ok);
        await settled();
        ({ went: open, refusal } = await drain());
        count += open.length;
      }
      expect(refusal).toMatchObject({ go: false, reason: 'learned' });
      const last = open.pop() as Grant;
      for (const g of open) ledger.done(g, undefined, Date.now(), ok);
      if (refuseLast) await event(last);
      else {
        ledger.done(last, undefined, Date.now(), ok);
        await sleep((refusal as Extract<Admission, { go: false }>).waitMs + 10);
      }
      return count;
    }
    await confirmFive();
    const sizes = [await window(), await window(), await window(true)]; // widened after two, refused
    for (let i = 0; i < 4; i++) sizes.push(await window());
    sizes.push(await window(), await window()); // widened after four, taken: widened again at once
    expect(sizes).toEqual([5, 5, 6, 5, 5, 5, 5, 6, 7]);
  });

  it('a spent quota whose end is further away than the process would pause for is left to the 429s', async () => {
    // A 429 naming an hour (beyond any maxRetryAfter) still teaches the ledger; the window it names starts then.
    await answered(2);
    ledger.done(await grant(), undefined, Date.now(), refused(3_600_000));
    await settled();
    await drainSerial(); // the provisional limit and its test
    expect(await ledger.take(100, 60_000)).toMatchObject({ go: false, reason: 'learned' });
    const spent: number[] = [];
    const admission = fleetAdmission(ledger, {
      counting: true,
      blindCap: () => 100,
      expiration: 60_000,
      onSpent: (waitMs) => spent.push(waitMs),
      onPaused: () => undefined,
      onDown: () => undefined,
      maxWaitMs: () => 60_000,
    });
    const started = Date.now();
    expect(await admission.admit()).toBe(true); // goes, uncounted, at once: its own 429 fails fast
    expect(Date.now() - started).toBeLessThan(1000);
    expect(spent).toEqual([]);
    // The same for a reported window spent until a reset two hours away.
    ledger.done(undefined, report(0, 7_200_000)); // a response reporting it (its own grant is not needed)
    await settled();
    expect(await ledger.take(100, 60_000)).toMatchObject({ go: false, reason: 'spent' });
    expect(await admission.admit()).toBe(true);
  });

  it('a 429 for a grant from before the last event, answered after its pause, is not a new event', async () => {
    await answered(3);
    const slow = await grant();
    await event(await grant());
    await pauseOver();
    ledger.done(slow, undefined, Date.now(), refused(PAUSE_MS)); // sent before the event, answered after its pause
    await settled();
    const { went } = await drainSerial();
    expect(went).toHaveLength(4); // provisional 3 (what was accepted), and the test
  });
});

describe("the fleet's health", () => {
  beforeEach(() => {
    ledger.probes = { minProbeMs: 100, maxProbeMs: 300, probeLeaseMs: 300 };
  });

  it('down: everyone waits for the next probe; one probe at a time for the whole fleet; two successes end it', async () => {
    expect(await ledger.down(150, 100)).toBeUndefined(); // this call started the fleet's outage
    expect(await ledger.down(150, 100)).toMatchObject({ untilNextMs: expect.any(Number) }); // the fleet knew
    const waiting = await ledger.take(100, 60_000);
    expect(waiting).toMatchObject({ go: false, reason: 'down' });
    await new Promise((resolve) => setTimeout(resolve, (waiting as { waitMs: number }).waitMs + 5));
    const probe = await ledger.take(100, 60_000);
    expect(probe).toMatchObject({ go: true, grant: { probe: expect.any(String) } });
    expect(await ledger.take(100, 60_000)).toMatchObject({ go: false, reason: 'down' }); // the probe holds the others
    const token = (probe as { grant: Grant }).grant.probe;
    expect(await ledger.health('u', token, 1)).toBe(false); // recovering: the next goes at once
    const second = await ledger.take(100, 60_000);
    expect(second).toMatchObject({ go: true, grant: { probe: expect.any(String) } });
    expect(await ledger.health('u', (second as { grant: Grant }).grant.probe, 1)).toBe(true); // the fleet is up
    expect(await ledger.take(100, 60_000)).toMatchObject({ go: true });
  });

  it('a failed probe doubles the interval; a check (quota: false) can be the probe too', async () => {
    await ledger.down(0, 100);
    const probe = await ledger.check(true);
    expect(probe).toMatchObject({ go: true, grant: { entry: '', probe: expect.stringMatching(/^c\d+$/) } });
    await ledger.health('d', (probe as { grant: Grant }).grant.probe, 1);
    const refused = (await ledger.check(true)) as { go: false; waitMs: number; reason: string };
    expect(refused).toMatchObject({ go: false, reason: 'down' });
    expect(refused.waitMs).toBeGreaterThan(150); // 2 × 100 ms
  });

  it('nobody probes (every process died): the state lapses by itself', async () => {
    await ledger.down(50, 50);
    expect(await ledger.take(100, 60_000)).toMatchObject({ go: false, reason: 'down' });
    await new Promise((resolve) => setTimeout(resolve, 50 + 300 + 20)); // the first probe's time + the longest interval
    expect(await ledger.take(100, 60_000)).toMatchObject({ go: true, grant: { entry: expect.any(String) } });
    const again = (await ledger.take(100, 60_000)) as { grant?: Grant };
    expect(again.grant?.probe).toBeUndefined(); // not a probe: the fleet is up again
  });
});
