import type { PauseGate } from './gate.js';
import type { Admission, FleetLedger, Grant } from './ledger.js';

/** What one logical request asks of its fleet's ledger, attempt after attempt (see dispatch options). */
export interface FleetAdmission {
  /** Before queuing for the limiter: false when the fleet is paused (the gate is then closed). */
  admit(): Promise<boolean>;
  /** Inside the limiter's slot: true at once unless the fleet counts a quota; then one Redis round trip. */
  claim(): boolean | Promise<boolean>;
  /** The attempt ended: the grant to report its answer with, if it was counted. */
  settle(): Grant | undefined;
}

/**
 * Admission through a Redis-shared ledger: a pause stored there stops this process too, and once the fleet
 * has learned a quota every attempt is counted against it right before it is sent. `counting` is false for
 * `quota: false`. `onSpent` is told when the quota is used up until its reset (a pause worth reporting);
 * a pause another process called and a short wait for answers in flight close the gate silently.
 */
export function fleetAdmission(ledger: FleetLedger, gate: PauseGate, counting: boolean, onSpent: (waitMs: number) => void): FleetAdmission {
  let grant: Grant | undefined;
  const refuse = (answer: Extract<Admission, { go: false }>) => {
    if (answer.reason === 'spent') onSpent(answer.waitMs);
    else gate.close(Date.now() + answer.waitMs);
    return false;
  };
  return {
    async admit() {
      const answer = await ledger.check();
      if (answer && !answer.go) return refuse(answer);
      // No answer (Redis away): go; this process' own gate and quota tracker still hold.
      return true;
    },
    claim() {
      if (grant) ledger.done(grant); // counted for an attempt that was never sent (its job was given up)
      grant = undefined;
      // Asked now, not when queued: a request queued before the fleet learned its quota is counted too.
      if (!counting || !ledger.counting) return true;
      return ledger.take().then((answer) => {
        grant = answer?.go ? answer.grant : undefined;
        return !answer || answer.go || refuse(answer);
      });
    },
    settle() {
      const settled = grant;
      grant = undefined;
      return settled;
    },
  };
}
