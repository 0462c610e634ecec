import type Bottleneck from 'bottleneck';
import { isClustered, joinFleet, readiness, REDIS_TIMEOUT_MS, redisUnavailable } from './fleet/cluster.js';
import { FleetLedger } from './fleet/ledger.js';
import type { Scheduler } from './limit/dispatch.js';
import { PauseGate } from './limit/gate.js';
import { Lane } from './limit/lane.js';
import { maxConcurrentOf, watchSettings } from './limit/limiter.js';
import { QuotaTracker } from './quota/tracker.js';
import { LatencyWindow } from './retry/hedge.js';

/**
 * What axios-steady keeps per Bottleneck instance, shared by every attach() given that instance: the local
 * scheduling parts (gate, lane), the quota model, and for a Redis-backed limiter what the fleet shares.
 * Assembled here, one floor above limit/, quota/ and fleet/, so none of those imports another.
 */
export interface LimiterState extends Scheduler {
  readonly quota: QuotaTracker;
  /** For a Redis-backed limiter: tells the fleet about a pause (pub/sub and the ledger); resolves once stored. */
  readonly broadcast: ((delayMs: number) => Promise<void>) | undefined;
  /** For a Redis-backed limiter: the pause and the quota kept across the fleet (see fleet/ledger.ts). */
  readonly ledger: FleetLedger | undefined;
  /** Recent attempt latencies, for hedging at a percentile. */
  readonly latency: LatencyWindow;
}

// Keyed by the user's limiter object, so two instances given one Bottleneck share one gate and one lane.
// A WeakMap keeps no limiter alive; there is no module-level limiter.
const states = new WeakMap<Bottleneck, LimiterState>();

/** The state of a limiter, created on first use. */
export function stateOf(limiter: Bottleneck): LimiterState {
  let state = states.get(limiter);
  if (state === undefined) {
    watchSettings(limiter);
    const quota = new QuotaTracker();
    const gate = new PauseGate((now) => quota.holdUntil(now));
    const clustered = isClustered(limiter);
    const ledger = clustered ? FleetLedger.of(limiter) : undefined;
    const publish = clustered ? joinFleet(limiter, gate) : undefined;
    state = {
      limiter,
      gate,
      lane: new Lane(gate, () => maxConcurrentOf(limiter)),
      clustered,
      // Another process's 429 may be stored in Redis but not yet heard over pub/sub: a granted job asks (one
      // round trip in the slot), so no process of the fleet sends once the pause is stored.
      ...(ledger && { inSlot: () => fleetOpen(ledger, gate) }),
      // Nothing hangs on Redis: a store that does not answer rejects the request, naming its address.
      ...(clustered && {
        ready: readiness(limiter, REDIS_TIMEOUT_MS),
        storeTimeoutMs: REDIS_TIMEOUT_MS,
        unavailable: (waitedMs: number, cause: unknown) => redisUnavailable(limiter, waitedMs, cause),
      }),
      quota,
      broadcast: publish && ((delayMs) => (publish(delayMs), ledger ? ledger.pause(delayMs) : Promise.resolve())),
      ledger,
      latency: new LatencyWindow(),
    };
    states.set(limiter, state);
  }
  return state;
}

/** Whether the fleet's stored pause lets a granted job go; closes the local gate when it does not. */
async function fleetOpen(ledger: FleetLedger, gate: PauseGate): Promise<boolean> {
  const answer = await ledger.check(true);
  if (!answer || answer.go) return gate.isOpen();
  gate.close(Date.now() + answer.waitMs);
  return false;
}
