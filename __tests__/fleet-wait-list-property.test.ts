// Property: the fleet's wait list (fleet/lua/wake.lua, and the ledger's side of it in fleet/ledger.ts) loses
// nobody. Three processes — each a FleetLedger with its own client and subscriber on one real redis-server —
// share a maxConcurrent of 1 to 4; a random sequence starts requests in any of them, answers granted ones (a
// success, a failure without an answer, a grant given back unsent, a rate-limit report of 0–4 remaining until a
// reset 100–600 ms away), aborts waiting or granted ones, kills a process (its requests never answered: their
// counts lapse after the expiration) and waits. Throughout, the live processes never hold more than
// maxConcurrent grants, nor does Redis count more unanswered; at the end every request of a live process is granted, answered at once, within the
// expiration and a few seconds — never by the 30 s lost-wake timer.
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { FleetLedger } from '../src/fleet/ledger.js';
import type { FleetLimits, Grant } from '../src/fleet/verdict.js';
import { startRedis, type RedisServer } from '../test/servers/redis.js';

jest.setTimeout(300_000);

let redis: RedisServer;
let admin: Redis;
let ids = 0;

beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis({ host: '127.0.0.1', port: redis.port });
});
afterAll(async () => {
  admin?.disconnect();
  await redis?.stop();
});

type Step =
  | { kind: 'ask'; proc: number }
  | { kind: 'answer'; pick: number; outcome: 'ok' | 'none' | 'unsent' | 'report'; remaining: number; resetMs: number }
  | { kind: 'abort'; pick: number }
  | { kind: 'die'; proc: number }
  | { kind: 'wait'; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('ask' as const), proc: fc.nat(2) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('answer' as const),
      pick: fc.nat(),
      outcome: fc.constantFrom('ok' as const, 'ok' as const, 'none' as const, 'unsent' as const, 'report' as const),
      remaining: fc.nat(4),
      resetMs: fc.integer({ min: 100, max: 600 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('abort' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('die' as const), proc: fc.nat(2) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 30 }) }) },
);

const EXPIRATION_MS = 2000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Proc {
  ledger: FleetLedger;
  connections: Redis[];
  dead: boolean;
}

interface Req {
  proc: number;
  controller: AbortController;
  state: 'waiting' | 'granted' | 'answered' | 'aborted';
  grant?: Grant;
  grantedAt?: number;
}

async function proc(id: string): Promise<Proc> {
  const client = new Redis({ host: '127.0.0.1', port: redis.port });
  const subscriber = client.duplicate();
  await Promise.all([client.ping(), new Promise((resolve) => subscriber.once('ready', resolve))]);
  const ledger = new FleetLedger(client, id, subscriber);
  return { ledger, connections: [client, subscriber], dead: false };
}

it('no sequence of asks, answers, aborts and deaths loses a request or lets the fleet exceed its maxConcurrent', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 10, maxLength: 40 }), fc.integer({ min: 1, max: 4 }), async (steps, mc) => {
      const id = `wait-list-property-${++ids}`;
      const procs = [await proc(id), await proc(id), await proc(id)];
      const limits: FleetLimits = { quota: true, blindCap: 1e9, expiration: EXPIRATION_MS, maxConcurrent: mc, minTime: 0 };
      const reqs: Req[] = [];
      let most = 0;
      // Grants the live processes hold (one held past its expiration has lapsed in the ledger, by design).
      const held = () =>
        reqs.filter((r) => r.state === 'granted' && !procs[r.proc]?.dead && Date.now() - (r.grantedAt ?? 0) < EXPIRATION_MS - 300).length;
      const failures: unknown[] = [];
      // And in Redis, sampled beside the steps (an await between them would keep a process' asks from going
      // together): grants handed to nobody (a request gone meanwhile) count there too, a dead process' until
      // they lapse; the ledger never has more out than maxConcurrent.
      let mostInRedis = 0;
      const sampler = setInterval(() => {
        void admin.zcard(`axios-steady:{${id}}:unanswered`).then((n) => (mostInRedis = Math.max(mostInRedis, n)));
      }, 5);
      const start = (req: Req) => {
        const { ledger } = procs[req.proc] as Proc;
        const signal = req.controller.signal;
        void (async () => {
          for (;;) {
            const answer = await ledger.acquire(limits, signal);
            if (!answer) throw new Error('Redis did not answer');
            if (answer.go) {
              if (signal.aborted) return void ledger.done(answer.grant, undefined, Date.now(), 'unsent');
              req.state = 'granted';
              req.grant = answer.grant;
              req.grantedAt = Date.now();
              most = Math.max(most, held());
              return;
            }
            // As a request waits (fleet/admission.ts): for its wake when listed, for the time otherwise.
            await (answer.listed ? ledger.waitForWake(answer.waitMs, signal) : sleep(answer.waitMs));
            if (signal.aborted) return;
          }
        })().catch((error: unknown) => {
          if (!signal.aborted) failures.push(error);
        });
      };
      const answer = (req: Req, outcome: 'ok' | 'none' | 'unsent' | 'report', remaining = 0, resetMs = 0) => {
        const { ledger } = procs[req.proc] as Proc;
        req.state = 'answered';
        if (outcome === 'report') {
          ledger.done(req.grant, { remaining, resetAt: Date.now() + resetMs, source: 'ratelimit' });
        } else if (outcome === 'ok') ledger.done(req.grant, undefined, Date.now(), { status: 200 });
        else if (outcome === 'unsent') ledger.done(req.grant, undefined, Date.now(), 'unsent');
        else ledger.done(req.grant, undefined, Date.now(), { status: 503 });
      };
      try {
        for (const s of steps) {
          if (s.kind === 'wait') await sleep(s.ms);
          else if (s.kind === 'ask') {
            if (procs[s.proc]?.dead) continue;
            const req: Req = { proc: s.proc, controller: new AbortController(), state: 'waiting' };
            reqs.push(req);
            start(req);
          } else if (s.kind === 'answer') {
            const granted = reqs.filter((r) => r.state === 'granted' && !procs[r.proc]?.dead);
            if (granted.length > 0) answer(granted[s.pick % granted.length] as Req, s.outcome, s.remaining, s.resetMs);
          } else if (s.kind === 'abort') {
            const live = reqs.filter((r) => (r.state === 'waiting' || r.state === 'granted') && !procs[r.proc]?.dead);
            const req = live[s.pick % Math.max(1, live.length)];
            if (!req) continue;
            // A granted request aborted before it was sent gives its grant back, as dispatch does.
            if (req.state === 'granted') answer(req, 'unsent');
            req.controller.abort();
            req.state = 'aborted';
          } else {
            const p = procs[s.proc] as Proc;
            if (p.dead || procs.filter((q) => !q.dead).length < 2) continue;
            // Killed: nothing it holds is ever answered, nothing it waits for is asked again.
            p.dead = true;
            for (const r of reqs) if (r.proc === s.proc && r.state === 'waiting') r.controller.abort();
            for (const c of p.connections) c.disconnect();
          }
          expect(most).toBeLessThanOrEqual(mc);
        }
        // The end: every granted request of a live process is answered at once; every waiting one must be granted
        // within the expiration (a dead process' counts lapse) and a few seconds.
        const deadline = Date.now() + EXPIRATION_MS + 8000;
        for (;;) {
          for (const r of reqs) if (r.state === 'granted' && !procs[r.proc]?.dead) answer(r, 'ok');
          const waiting = reqs.filter((r) => r.state === 'waiting' && !procs[r.proc]?.dead);
          if (waiting.length === 0) break;
          if (Date.now() > deadline) throw new Error(`${waiting.length} requests still waiting (mc ${mc})`);
          await sleep(10);
        }
        expect(most).toBeLessThanOrEqual(mc);
        expect(mostInRedis).toBeLessThanOrEqual(mc);
        expect(failures).toEqual([]);
      } finally {
        clearInterval(sampler);
        for (const r of reqs) r.controller.abort();
        for (const p of procs) for (const c of p.connections) c.disconnect();
      }
    }),
    { numRuns: 25 },
  );
});
