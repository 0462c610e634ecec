import { sleep } from '../util/sleep.js';
import type { FleetLedger } from './ledger.js';
import type { Admission, Grant } from './verdict.js';

/** The fleet's own limits, when the ledger schedules (see limit/dispatch.ts); absent when bottleneck does. */
export interface FleetSchedule {
  readonly maxConcurrent: number;
  readonly minTime: number;
}

/** What one logical request asks of its fleet's ledger, attempt after attempt (see dispatch options). */
export interface FleetAdmission {
  /**
   * Before queuing for the limiter: false when the fleet is paused or its quota spent (the gate is then
   * closed), or after a short wait when what remains is all taken by requests still unanswered.
   */
  admit(signal?: AbortSignal, schedule?: FleetSchedule): Promise<boolean>;
  /** The attempt ended: the grant to report its answer with, if it was counted. */
  settle(): Grant | undefined;
  /** The attempt was never sent (its slot given back, or cancelled in the queue): its count is given back. */
  giveBack(): void;
}

/** What fleetAdmission needs besides the ledger. */
export interface AdmissionOptions {
  /** Whether attempts are counted against the fleet's quota (false for `quota: false`: pauses only). */
  readonly counting: boolean;
  /** How many may be unanswered while nothing is known (the limiter's maxConcurrent). */
  readonly blindCap: () => number;
  /** The job's expiration, ms: a count lapses after it. */
  readonly expiration: number;
  /** The quota is spent for `waitMs`; `closeGate`: for the whole process (a reported window). */
  readonly onSpent: (waitMs: number, closeGate: boolean) => void;
  /** Another process paused the fleet for `waitMs` (the pause stored in the ledger). */
  readonly onPaused: (waitMs: number) => void;
  /** The fleet's API is down (since `ageMs`), its next probe in `waitMs`. */
  readonly onDown: (ageMs: number, waitMs: number) => void;
  /** The longest wait for a spent quota this process accepts (the quota tracker's longestWaitMs). */
  readonly maxWaitMs: () => number;
}

/**
 * Admission through a Redis-shared ledger, before a request queues for the limiter: a pause stored there
 * stops this process too, and every attempt is counted against the fleet's quota (`counting`; false for
 * `quota: false`) from the moment it queues until it is answered. Counting at the queue, not right before
 * the send, keeps a Redis round trip out of the time between bottleneck's grant and the start, where it
 * would jitter the minTime spacing by Redis' latency (measured: starts 4–24 ms apart at minTime 50). Until
 * the API has said anything, `blindCap()` (the limiter's maxConcurrent) bounds how many may be unanswered;
 * a count lapses after `expiration` (the job's), so a crashed process holds no capacity longer than its jobs.
 * `onSpent` is told when the quota is used up until its reset (a pause worth reporting); `onPaused` when another
 * process paused the fleet (told where it happened).
 */
export function fleetAdmission(ledger: FleetLedger, options: AdmissionOptions): FleetAdmission {
  const { counting, blindCap, expiration, onSpent, onPaused, onDown, maxWaitMs } = options;
  let grant: Grant | undefined;
  const refuse = async (answer: Extract<Admission, { go: false }>, signal: AbortSignal | undefined) => {
    // A listed process is woken when an answer frees room; the time is only how long it waits for a wake that
    // was lost (for a spent window: its end and a second or two, in case the process asking then died).
    const untilWoken = (ms: number) => ledger.waitForWake(ms, signal);
    const lost = () => 1000 + Math.random() * 1000;
    if (answer.reason === 'paused') onPaused(answer.waitMs);
    else if (answer.reason === 'spent' && !answer.listed) onSpent(answer.waitMs, true);
    else if (answer.reason === 'spent' || answer.reason === 'learned') {
      // Only this request waits (for the window's end, or its wake): closing the gate would bounce the requests
      // already counted and queued, which would give their counts back and ask again — a livelock (measured: a
      // hang) — or hold the last one counted in a learned window (its limit's test) past that window (measured:
      // the test never sent, the limit forgotten, 9 429s in the next window).
      onSpent(answer.waitMs, false);
      await (answer.listed ? untilWoken(answer.waitMs + lost()) : sleep(answer.waitMs, signal));
    } else if (answer.reason === 'down') {
      // The fleet's API is down: this request waits for the fleet's next probe (its patience may end it sooner).
      onDown(answer.ageMs ?? 0, answer.waitMs);
      await sleep(answer.waitMs, signal);
    } else if (answer.listed) await untilWoken(answer.waitMs);
    else await sleep(answer.waitMs, signal);
    return false;
  };
  // Not a method: `admit` is handed to dispatch on its own, without its object.
  const giveBack = () => {
    if (grant) ledger.done(grant, undefined, Date.now(), 'unsent');
    if (grant?.probe) void ledger.health('', grant.probe, 1); // a probe never sent: the next may go at once
    grant = undefined;
  };
  return {
    async admit(signal, schedule) {
      giveBack(); // counted for a try that was never sent (its slot was given back)
      const answer = await (counting || schedule
        ? ledger.acquire(
            {
              quota: counting,
              blindCap: blindCap(),
              expiration,
              maxConcurrent: schedule?.maxConcurrent ?? 0,
              minTime: schedule?.minTime ?? 0,
            },
            signal,
          )
        : ledger.check());
      // No answer (Redis away): go; this process' own gate, lane and quota tracker still hold. A spent quota whose
      // end is further away than this process would pause for goes too, uncounted: its 429 fails fast, as
      // for one process (the quota tracker's maxPauseMs), and a 429 naming an hour does not hold a fleet
      // for an hour.
      if (!answer) return true;
      if (answer.go) {
        grant = answer.grant;
        // The fleet's minTime reserved this start: wait for it (given back if the request is cancelled meanwhile).
        if (grant?.delayMs) await sleep(grant.delayMs, signal).catch((error: unknown) => (giveBack(), Promise.reject(error)));
        return true;
      }
      if ((answer.reason === 'spent' || answer.reason === 'learned') && answer.waitMs > maxWaitMs()) return true;
      return refuse(answer, signal);
    },
    settle() {
      const settled = grant;
      grant = undefined;
      return settled;
    },
    giveBack,
  };
}
