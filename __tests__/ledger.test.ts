// The fleet ledger's Lua scripts, run by a real redis-server (started here on a free loopback port, stopped
// by pid): what each answer is, given what was granted, answered and reported before it.
import { Redis } from 'ioredis';
import { FleetLedger, type Admission, type Grant } from '../src/fleet/ledger.js';
import type { QuotaReport } from '../src/quota/headers.js';
import { startRedis, type RedisServer } from '../test/servers/redis.js';

let redis: RedisServer;
let client: Redis;
let ids = 0;
let ledger: FleetLedger;

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis({ host: '127.0.0.1', port: redis.port });
});
afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
});
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

/** done() is fire and forget; a PING behind it on the same connection returns once it ran. */
const settled = () => client.ping();

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

it('a pause stops every process until it ends; a shorter pause never shortens it', async () => {
  ledger.pause(3_000);
  ledger.pause(100);
  await settled();
  const answer = await ledger.check();
  expect(answer).toMatchObject({ go: false, reason: 'paused' });
  expect((answer as Extract<Admission, { go: false }>).waitMs).toBeGreaterThan(2_500);
  expect(await ledger.take(100, 60_000)).toMatchObject({ go: false, reason: 'paused' });
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
