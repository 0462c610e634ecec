import type Bottleneck from 'bottleneck';
import { isClustered, joinFleet, readiness, REDIS_TIMEOUT_MS, redisUnavailable, type FleetVoice } from '../fleet/cluster.js';
import { FleetLedger } from '../fleet/ledger.js';
import { maxConcurrentOf, watchSettings } from '../limit/bottleneck.js';
import type { Scheduler } from '../limit/dispatch.js';
import { Lane } from '../limit/lane.js';
import { QuotaTracker } from '../quota/tracker.js';
import { LatencyWindow } from '../retry/hedge.js';
import { DEFAULT_PROBES, Pauses } from './pauses.js';

/**
 * What axios-steady keeps per Bottleneck instance, shared by every attach() given that instance: its pauses
 * (and the gate they close), the local lane, the quota model, and for a Redis-backed limiter what the fleet
 * shares. Assembled here, one floor above limit/, quota/ and fleet/, so none of those imports another.
 */
export interface LimiterControl extends Scheduler {
  readonly pauses: Pauses;
  readonly quota: QuotaTracker;
  /** For a Redis-backed limiter: the pause and the quota kept across the fleet (see fleet/ledger.ts). */
  readonly ledger: FleetLedger | undefined;
  /** Recent attempt latencies, for hedging at a percentile. */
  readonly latency: LatencyWindow;
  /** For a Redis-backed limiter: how this process tells the fleet (a pause, an outage, the API back). */
  readonly voice: FleetVoice | undefined;
}

// Keyed by the user's limiter object, so two instances given one Bottleneck share one gate and one lane.
// A WeakMap keeps no limiter alive; there is no module-level limiter.
const controls = new WeakMap<Bottleneck, LimiterControl>();

/** The control of a limiter, created on first use. */
export function controlOf(limiter: Bottleneck): LimiterControl {
  let control = controls.get(limiter);
  if (control === undefined) {
    control = create(limiter);
    controls.set(limiter, control);
  }
  return control;
}

function create(limiter: Bottleneck): LimiterControl {
  watchSettings(limiter);
  const quota = new QuotaTracker();
  const clustered = isClustered(limiter);
  const ledger = clustered ? FleetLedger.of(limiter) : undefined;
  let voice: FleetVoice | undefined;
  const broadcast = clustered
    ? (delayMs: number) => (voice?.pause(delayMs), ledger ? ledger.pause(delayMs) : Promise.resolve())
    : undefined;
  const pauses = new Pauses((now) => quota.holdUntil(now), broadcast, DEFAULT_PROBES, clustered);
  const { gate, health } = pauses;
  if (clustered) {
    voice = joinFleet(limiter, {
      pause: (delayMs) => pauses.heard(delayMs),
      down: (delayMs) => health.heardDown(Date.now(), Date.now() + delayMs),
      up: () => health.heardUp(),
    });
    // The API went down or came back (heard, or this process' own probes): requests on the fleet's wait list ask
    // again — the ledger hands no room while the fleet is down, and down, the probe must be able to ask.
    if (ledger) health.onChange(() => ledger.wakeAll());
    // This process found the API down: the fleet's outage starts (or, when the fleet knew, its schedule rules).
    const told = voice;
    health.onTrip((firstProbeMs, intervalMs) => {
      if (!ledger) return told.down(firstProbeMs);
      void ledger.down(firstProbeMs, intervalMs).then((known) => {
        if (known) health.heardDown(Date.now() - known.ageMs, Date.now() + known.untilNextMs);
        else told.down(firstProbeMs);
      });
    });
  }
  return {
    limiter,
    gate,
    pauses,
    lane: new Lane(gate, () => maxConcurrentOf(limiter)),
    clustered,
    // Another process's 429 may be stored in Redis but not yet heard over pub/sub: a granted job asks (one
    // round trip in the slot), so no process of the fleet sends once the pause is stored.
    ...(ledger && { inSlot: () => fleetOpen(ledger, pauses) }),
    // Nothing hangs on Redis: a store that does not answer rejects the request, naming its address.
    ...(clustered && {
      ready: readiness(limiter, REDIS_TIMEOUT_MS),
      storeTimeoutMs: REDIS_TIMEOUT_MS,
      unavailable: (waitedMs: number, cause: unknown) => redisUnavailable(limiter, waitedMs, cause),
    }),
    quota,
    ledger,
    latency: new LatencyWindow(),
    voice,
  };
}

/** Whether the fleet's stored pause lets a granted job go; the pause is heard when it does not. */
async function fleetOpen(ledger: FleetLedger, pauses: Pauses): Promise<boolean> {
  const answer = await ledger.check(true);
  if (!answer || answer.go) return pauses.gate.isOpen();
  pauses.heard(answer.waitMs);
  return false;
}
