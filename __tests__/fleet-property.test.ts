// Property: no state of the quota a fleet learns from 429s (fleet/learned.ts) or from rate-limit headers (the
// ledger's reported window and its probe after the reset; Lua in a real redis-server) can wedge the fleet. A
// driver takes grants and answers them in random order with random outcomes — successes, 429s naming short
// Retry-After values, reports of short windows, grants given back unsent, failures without an answer — with
// short waits between; at the end the process answers the rest, or dies without answering. Every refusal must
// name a bounded wait, and once the last pause is over, a grant must come by time alone (a window ends, an
// unanswered probe stops holding the others, a dead process' counts lapse).
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { FleetLedger } from '../src/fleet/ledger.js';
import type { Admission, Grant } from '../src/fleet/verdict.js';
import { PROBE_MS } from '../src/quota/constants.js';
import { startRedisWithClient, type RedisWithClient } from '../test/servers/redis.js';

jest.setTimeout(120_000);

let redis: RedisWithClient | undefined;
let client: Redis;
let ids = 0;

beforeAll(async () => {
  redis = await startRedisWithClient();
  client = redis.client;
});
afterAll(() => redis?.stop());

type Step =
  | { kind: 'take' }
  | { kind: 'answer'; pick: number; outcome: 'ok' | 'none' | 'unsent' | 429 | 'report'; retryAfterMs: number; remaining: number }
  | { kind: 'wait'; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'take' as const }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('answer' as const),
      pick: fc.nat(),
      outcome: fc.constantFrom('ok' as const, 'ok' as const, 'none' as const, 'unsent' as const, 429 as const, 'report' as const),
      retryAfterMs: fc.integer({ min: 1, max: 60 }),
      remaining: fc.integer({ min: 0, max: 4 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 40 }) }) },
);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const EXPIRATION_MS = 500; // a grant's count lapses after it (the job's expiration)

it('no sequence of answers leaves the quota refusing for good: every wait is bounded, and after the last pause a grant comes by time alone', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 20, maxLength: 80 }), fc.boolean(), async (steps, crash) => {
      const ledger = new FleetLedger(client, `property-${++ids}`);
      const started = Date.now();
      const outstanding: Grant[] = [];
      let pauseEnd = 0;
      // A window is at most the run so far; a crashed process' counts lapse after EXPIRATION_MS.
      const bound = () => 2 * (Date.now() - started) + 200 + PROBE_MS + EXPIRATION_MS;
      const refusalBounded = (answer: Admission | undefined) => {
        if (answer && !answer.go) expect(answer.waitMs).toBeLessThanOrEqual(bound());
      };
      for (const s of steps) {
        if (s.kind === 'wait') await sleep(s.ms);
        else if (s.kind === 'take') {
          let answer = await ledger.take(6, EXPIRATION_MS);
          refusalBounded(answer);
          if (answer && !answer.go && answer.reason === 'paused') {
            // As a process does: waits the pause out, then asks again.
            await sleep(answer.waitMs);
            answer = await ledger.take(6, EXPIRATION_MS);
            refusalBounded(answer);
          }
          if (answer?.go && answer.grant) outstanding.push(answer.grant);
        } else if (outstanding.length > 0) {
          const [g] = outstanding.splice(s.pick % outstanding.length, 1) as [Grant];
          if (s.outcome === 'unsent') ledger.done(g, undefined, Date.now(), 'unsent');
          else if (s.outcome === 'none') ledger.done(g);
          else if (s.outcome === 'ok') ledger.done(g, undefined, Date.now(), { status: 200 });
          // Rate-limit headers: what remains, and a reset `retryAfterMs` × 5 (up to 300 ms) away.
          else if (s.outcome === 'report')
            ledger.done(g, { remaining: s.remaining, resetAt: Date.now() + s.retryAfterMs * 5, source: 'ratelimit' }, Date.now(), {
              status: 200,
            });
          else {
            // As a process does: the 429 to the ledger, then the pause it names (pauseLimiter).
            ledger.done(g, undefined, Date.now(), { status: 429, retryAfterMs: s.retryAfterMs });
            await ledger.pause(s.retryAfterMs);
            pauseEnd = Math.max(pauseEnd, Date.now() + s.retryAfterMs);
          }
        }
      }
      // The process answers what is left, or dies (its grants, a probe among them, never answered).
      for (const g of outstanding.splice(0)) if (!crash) ledger.done(g, undefined, Date.now(), { status: 200 });
      await ledger.reported(); // the answers above ran
      await sleep(Math.max(0, pauseEnd - Date.now()));
      const deadline = Date.now() + bound();
      for (;;) {
        const answer = await ledger.take(6, EXPIRATION_MS);
        if (answer?.go) {
          if (answer.grant) ledger.done(answer.grant, undefined, Date.now(), { status: 200 });
          return;
        }
        refusalBounded(answer);
        expect(Date.now()).toBeLessThan(deadline);
        await sleep(Math.min(answer?.waitMs ?? 20, 50));
      }
    }),
    { numRuns: 40 },
  );
});
