// The fleet's wait list (fleet/lua/wake.lua), with a real redis-server: processes refused for want of room are
// listed and woken by one PUBLISH when an answer frees it — handed their grants with the wake — and nobody asks
// again on a timer. Each "process" here is a FleetLedger with its own Redis connections (a client and a
// subscriber), as each attach() instance of a fleet has. Counts are Redis' own (INFO commandstats).
import { Redis } from 'ioredis';
import { FleetLedger } from '../src/fleet/ledger.js';
import type { Admission, FleetLimits, Grant } from '../src/fleet/verdict.js';
import { ledgerKeys } from '../src/fleet/keys.js';
import { startRedis, type RedisServer } from '../test/servers/redis.js';

jest.setTimeout(60_000);

let redis: RedisServer;
let admin: Redis;
const connections: Redis[] = [];
let ids = 0;

beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis({ host: '127.0.0.1', port: redis.port });
});
afterAll(async () => {
  await Promise.all([...connections, admin].map((c) => c?.quit().catch(() => undefined)));
  await redis?.stop();
});

interface Proc {
  ledger: FleetLedger;
  subscriber: Redis;
}

/** One process of the fleet: its own client and subscriber, subscribed before it is used. */
async function proc(id: string): Promise<Proc> {
  const client = new Redis({ host: '127.0.0.1', port: redis.port });
  const subscriber = client.duplicate();
  connections.push(client, subscriber);
  const channels = async () => ((await admin.call('PUBSUB', 'CHANNELS', `${ledgerKeys(id)[2]}:*`)) as string[]).length;
  const known = await channels();
  const ledger = new FleetLedger(client, id, subscriber);
  await until(async () => (await channels()) === known + 1); // subscribed to its wake channel
  return { ledger, subscriber };
}

async function until(check: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Scripts Redis ran so far (EVALSHA and EVAL; an EVALSHA refused with NOSCRIPT, then sent as EVAL, once). */
async function scripts(): Promise<number> {
  const stats = await admin.info('commandstats');
  const count = (name: string, field: string) => Number(new RegExp(`cmdstat_${name}:.*?${field}=(\\d+)`).exec(stats)?.[1] ?? 0);
  return count('evalsha', 'calls') - count('evalsha', 'failed_calls') + count('eval', 'calls');
}

const limits = (maxConcurrent: number, extra: Partial<FleetLimits> = {}): FleetLimits => ({
  quota: true,
  blindCap: 1e9,
  expiration: 30_000,
  maxConcurrent,
  minTime: 0,
  ...extra,
});

/**
 * Asks until granted, waiting as a request does (fleet/admission.ts): for its wake when listed — a spent
 * window's end and a second and a half more, in case the one to ask then died — for the time otherwise.
 */
async function granted(ledger: FleetLedger, l: FleetLimits, signal?: AbortSignal): Promise<{ grant: Grant; refusals: Admission[] }> {
  const refusals: Admission[] = [];
  for (;;) {
    const answer = await ledger.acquire(l, signal);
    if (!answer) throw new Error('Redis did not answer');
    if (answer.go) return { grant: answer.grant as Grant, refusals };
    refusals.push(answer);
    const lost = answer.reason === 'spent' ? 1500 : 0;
    await (answer.listed ? ledger.waitForWake(answer.waitMs + lost, signal) : new Promise((resolve) => setTimeout(resolve, answer.waitMs)));
  }
}

it('a process refused for want of room is listed, asks nothing while it waits, and is handed its grant by the answer that frees room', async () => {
  const id = `wake-${++ids}`;
  const [a, b] = [await proc(id), await proc(id)];
  const first = await a.ledger.acquire(limits(1));
  expect(first).toMatchObject({ go: true });
  const waiting = granted(b.ledger, limits(1));
  await until(async () => (await admin.zcard(ledgerKeys(id)[2])) === 1); // b is on the wait list
  const before = await scripts();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect((await scripts()) - before).toBe(0); // a second of waiting: no script ran (nothing polls)
  a.ledger.done((first as { grant: Grant }).grant, undefined, Date.now(), { status: 200 });
  const { grant, refusals } = await waiting;
  expect(refusals).toHaveLength(1);
  expect(refusals[0]).toMatchObject({ reason: 'in-flight', listed: true });
  // One script for the handover: a's answer (DONE) granted b's request and woke it; b asked nothing more.
  expect((await scripts()) - before).toBe(1);
  expect(await admin.zrange(ledgerKeys(id)[1], 0, -1)).toEqual([grant.entry]);
});

it('the first in line is handed room first; a process that died on the list is skipped and its grant given back', async () => {
  const id = `wake-${++ids}`;
  const [a, dead, c] = [await proc(id), await proc(id), await proc(id)];
  const first = (await a.ledger.acquire(limits(1))) as { grant: Grant };
  const gone = new AbortController();
  void granted(dead.ledger, limits(1), gone.signal).catch(() => undefined);
  await until(async () => (await admin.zcard(ledgerKeys(id)[2])) === 1);
  const third = granted(c.ledger, limits(1));
  await until(async () => (await admin.zcard(ledgerKeys(id)[2])) === 2);
  expect(await admin.zrange(ledgerKeys(id)[2], 0, -1)).toHaveLength(2);
  await dead.subscriber.quit(); // it can no longer be woken: as a process killed while it waited
  a.ledger.done(first.grant, undefined, Date.now(), { status: 200 });
  const { grant } = await third;
  // Only c's grant is counted: the one meant for the dead process was never made (nobody listened on its channel).
  expect(await admin.zrange(ledgerKeys(id)[1], 0, -1)).toEqual([grant.entry]);
  expect(await admin.zcard(ledgerKeys(id)[2])).toBe(0);
  gone.abort();
});

it('a ledger lost with its wait list (keys deleted, FLUSHALL): the first answer granted before it wakes every listed process to ask again', async () => {
  const id = `wake-${++ids}`;
  const [a, b, c] = [await proc(id), await proc(id), await proc(id)];
  const first = (await a.ledger.acquire(limits(1))) as { grant: Grant };
  const waiting = [granted(b.ledger, limits(1)), granted(c.ledger, limits(1))].map((p, i) => p.then((r) => ({ ...r, i })));
  await until(async () => (await admin.zcard(ledgerKeys(id)[2])) === 2); // both listed
  await admin.del(...ledgerKeys(id)); // the ledger and its wait list are gone; b and c still wait to be woken
  const lostAt = Date.now();
  a.ledger.done(first.grant, undefined, Date.now(), { status: 200 });
  // Woken by the fleet's channel, both ask the new ledger: one is granted, the other listed there. Without the
  // wake both would wait for the lost-wake timer (30 s).
  const winner = await Promise.race(waiting);
  expect(Date.now() - lostAt).toBeLessThan(10_000);
  expect(await admin.hget(ledgerKeys(id)[0], 'lost')).toBe(first.grant.entry.split(':')[2]);
  (winner.i === 0 ? b : c).ledger.done(winner.grant, undefined, Date.now(), { status: 200 });
  const [x, y] = await Promise.all(waiting);
  expect(Date.now() - lostAt).toBeLessThan(10_000);
  expect(x.grant.entry).not.toBe(y.grant.entry);
});

it('the requests of one process that ask together share one round trip; its answer asks for the next in the same one', async () => {
  const id = `wake-${++ids}`;
  const { ledger } = await proc(id);
  const before = await scripts();
  const answers = await Promise.all(Array.from({ length: 8 }, () => ledger.acquire(limits(8))));
  expect(answers.every((a) => a?.go)).toBe(true);
  expect((await scripts()) - before).toBe(1);
  // Two more wait for room; the answers' DONE hands them over without another script.
  const more = [granted(ledger, limits(8)), granted(ledger, limits(8))];
  await until(async () => (await admin.zcard(ledgerKeys(id)[2])) === 1);
  const grants = answers.map((a) => (a as { grant: Grant }).grant);
  ledger.done(grants[0], undefined, Date.now(), { status: 200 });
  ledger.done(grants[1], undefined, Date.now(), { status: 200 });
  await Promise.all(more);
  // The 8, the 2 refused (listed), and one DONE for both answers: given together while their siblings are out,
  // they report together.
  expect((await scripts()) - before).toBe(3);
});

it('a spent window: one process asks when it ends, the others are handed grants by what its answer reports', async () => {
  const id = `wake-${++ids}`;
  const fleet: Proc[] = [];
  for (let i = 0; i < 5; i++) fleet.push(await proc(id));
  // A response told the fleet: nothing left until the reset, 800 ms from now.
  fleet[0].ledger.done(undefined, { remaining: 0, resetAt: Date.now() + 800, source: 'ratelimit' });
  await until(async () => (await admin.hget(ledgerKeys(id)[0], 'rem')) === '0');
  const before = await scripts();
  const report = () => ({ remaining: 10, resetAt: Date.now() + 2000, source: 'ratelimit' as const });
  const runs = fleet.map(async (p) => {
    const result = await granted(p.ledger, limits(0));
    p.ledger.done(result.grant, report()); // its response reports the new window
    return result;
  });
  // Each is refused once: one is to ask at the reset (designated), the rest are listed and woken.
  const results = await Promise.all(runs);
  const refusals = results.map((r) => r.refusals);
  expect(refusals.filter((r) => r.some((a) => !a.go && a.designated))).toHaveLength(1);
  expect(refusals.flat().map((a) => !a.go && a.reason)).toEqual(refusals.flat().map(() => 'spent'));
  for (const r of refusals.filter((list) => !list.some((a) => !a.go && a.designated))) expect(r).toHaveLength(1);
  // 5 refused asks, the designated one's at the reset (the probe, granted alone), and 5 answers — the probe's
  // handed the other four their grants. Nobody asked on a timer.
  await until(async () => (await admin.zcard(ledgerKeys(id)[1])) === 0);
  expect((await scripts()) - before).toBe(11);
});

// A window spent by the grants an answer hands out, to processes listed before the window was known: nobody is
// refused for it, so nobody was designated to ask at its end, and the rest of the list waited for the lost-wake
// timer (30 s; P9 with only Retry-After at 200 processes: 25 s without a request, 2–3× the quota time). Now the
// first still in line is told to.
it('a reported window spent by the grants answers hand out: the first process still listed asks when it ends', async () => {
  const id = `wake-${++ids}`;
  const [a, b, c] = [await proc(id), await proc(id), await proc(id)];
  const first = (await a.ledger.acquire(limits(1))) as { grant: Grant };
  const second = granted(b.ledger, limits(1));
  await until(async () => (await admin.zcard(ledgerKeys(id)[2])) === 1);
  const third = granted(c.ledger, limits(1));
  await until(async () => (await admin.zcard(ledgerKeys(id)[2])) === 2); // b and c listed, for want of answers
  const from = Date.now();
  a.ledger.done(first.grant, { remaining: 1, resetAt: Date.now() + 1500, source: 'ratelimit' }); // hands b its grant
  const { grant } = await second;
  b.ledger.done(grant, { remaining: 0, resetAt: Date.now() + 1500, source: 'ratelimit' }); // the window is spent
  const last = await third;
  expect(last.refusals).toEqual([expect.objectContaining({ reason: 'in-flight', listed: true })]);
  // c asked at the reset (≈ 1.5 s); before, it waited for the lost-wake timer (30–36 s).
  expect(Date.now() - from).toBeLessThan(10_000);
});

it('a learned window spent by the grants answers hand out: the first process still listed asks when it ends', async () => {
  const id = `wake-${++ids}`;
  const [a, b, c, d] = [await proc(id), await proc(id), await proc(id), await proc(id)];
  const first = (await a.ledger.acquire(limits(1))) as { grant: Grant };
  const waiting = [b, c, d].map((p) => granted(p.ledger, limits(1)));
  await until(async () => (await admin.zcard(ledgerKeys(id)[2])) === 3); // b, c and d listed, for want of answers
  const from = Date.now();
  // A 429 naming 2 s: the fleet learns a provisional limit of 1 (nothing went through before), which lets 2 go in
  // the window (the second tests it); the answer hands b the first.
  a.ledger.done(first.grant, undefined, Date.now(), { status: 429, retryAfterMs: 2000 });
  const [second, third] = waiting as [ReturnType<typeof granted>, ReturnType<typeof granted>, ReturnType<typeof granted>];
  b.ledger.done((await second).grant, undefined, Date.now(), { status: 503 }); // hands c the second
  c.ledger.done((await third).grant, undefined, Date.now(), { status: 503 }); // nothing said of the limit: spent
  const last = await waiting[2];
  expect(last.refusals).toEqual([expect.objectContaining({ reason: 'in-flight', listed: true })]);
  // d asked when the learned window ended (≈ 4 s: the 2 s the 429 named, then the 2 s window); before, it waited
  // for the lost-wake timer (30–36 s).
  expect(Date.now() - from).toBeLessThan(15_000);
});

it('a ledger loads its scripts when it is created: a fleet started against a Redis that never saw them asks by SHA only', async () => {
  const counts = async () => {
    const stats = await admin.info('commandstats');
    const eval_ = Number(/cmdstat_eval:calls=(\d+)/.exec(stats)?.[1] ?? 0);
    const refused = Number(/cmdstat_evalsha:.*?failed_calls=(\d+)/.exec(stats)?.[1] ?? 0);
    return { eval: eval_, refused };
  };
  await admin.script('FLUSH');
  const before = await counts();
  const id = `wake-${++ids}`;
  const fleet = [await proc(id), await proc(id), await proc(id)];
  const answers = await Promise.all(fleet.map((p) => p.ledger.acquire(limits(8))));
  expect(answers.every((a) => a?.go)).toBe(true);
  // Every call went by SHA and none was refused NOSCRIPT; no script text was sent with a call (EVAL).
  expect(await counts()).toEqual(before);
});
