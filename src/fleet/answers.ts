// The answers a process owes its fleet's ledger, and when they go: together, so that a batch of grants costs
// about one DONE, not one each (docs/scale.md).
import type { QuotaReport } from '../quota/report.js';
import type { Answer, Grant } from './verdict.js';

/** Most answers one DONE reports. */
const MAX_ANSWERS = 64;
/**
 * How long an answer may wait for its siblings (this process' other requests still unanswered) to report with
 * them in one DONE. Bounds how long a fleet-wide concurrency slot is held beyond its answer.
 */
const HOLD_MS = 5;
/** A grant unanswered this long is no sibling worth waiting for (its request hangs, or its answer was lost). */
const SIBLING_MS = 60_000;

/** One answer's ARGV group (see lua/done.lua, settle.lua), and when it came. */
interface Owed {
  readonly entry: string;
  readonly kind: 'r' | 'x' | 's' | 'u' | '';
  /** 'r': what remains; 'x': the ms the 429 named, from `at`. */
  readonly a: number;
  /** 'r': the ms to the window's reset, from `at`. */
  readonly b: number;
  readonly at: number;
}

/** What an answer tells settle.lua: its kind and its two numbers (a report's reset in ms from `now`). */
function owedFor(
  grant: Grant | undefined,
  report: QuotaReport | undefined,
  now: number,
  answer: Answer | 'unsent' | undefined,
): Pick<Owed, 'kind' | 'a' | 'b'> {
  if (report) return { kind: 'r', a: report.remaining, b: Math.max(0, Math.ceil(report.resetAt - now)) };
  if (answer === 'unsent') return { kind: 'u', a: 0, b: 0 };
  if (grant && answer?.status === 429 && answer.retryAfterMs !== undefined) return { kind: 'x', a: Math.ceil(answer.retryAfterMs), b: 0 };
  return { kind: grant && answer !== undefined && answer.status < 400 ? 's' : '', a: 0, b: 0 };
}

/**
 * The grants handed to this process' requests and the answers not reported yet. An answer is due at once when
 * the fleet must hear it now (a 429, a failure) or when no sibling is still out; otherwise it waits up to
 * HOLD_MS for them. `due` is called when the held answers should go; the ledger decides how (alone, or with its
 * pending asks).
 */
export class AnswerQueue {
  private readonly owed: Owed[] = [];
  /** Grants handed to this process' requests and not answered yet: entry → when. */
  private readonly lent = new Map<string, number>();
  private holding: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly due: () => void) {}

  get length(): number {
    return this.owed.length;
  }

  /** A grant handed to one of this process' requests: its answer is due. */
  lend(grant: Grant): Grant {
    if (grant.entry) this.lent.set(grant.entry, Date.now());
    return grant;
  }

  /** What a grant's answer says (see FleetLedger.done); due at once, or after its siblings or HOLD_MS. */
  add(grant: Grant | undefined, report: QuotaReport | undefined, now: number, answer: Answer | 'unsent' | undefined): void {
    const entry = grant?.entry ?? '';
    this.lent.delete(entry);
    const owed: Owed = { entry, ...owedFor(grant, report, now, answer), at: Date.now() };
    this.owed.push(owed);
    const { kind } = owed;
    // News the fleet must have at once (a 429, a failure) goes now; other answers wait a little for their siblings.
    if (kind !== 'x' && kind !== '' && this.siblingsOut()) {
      this.holding ??= setTimeout(() => {
        this.holding = undefined;
        this.due();
      }, HOLD_MS);
      return;
    }
    this.hurry();
    this.due();
  }

  /** The held answers wait no longer (the next DONE takes them). */
  hurry(): void {
    clearTimeout(this.holding);
    this.holding = undefined;
  }

  /** The next DONE's answers, as ARGV groups, their times counted from now (Redis' clock reads them on arrival). */
  next(): (string | number)[] {
    const now = Date.now();
    return this.owed.splice(0, MAX_ANSWERS).flatMap(({ entry, kind, a, b, at }) => {
      const waited = Math.max(0, now - at);
      if (kind === 'r') return [entry, kind, a, Math.max(0, b - waited)];
      if (kind === 'x') return [entry, kind, Math.max(0, a - waited), 0];
      return [entry, kind, 0, 0];
    });
  }

  /** Whether other requests of this process are unanswered and may answer soon (the rest are forgotten). */
  private siblingsOut(): boolean {
    const since = Date.now() - SIBLING_MS;
    for (const [entry, at] of this.lent) if (at < since) this.lent.delete(entry);
    return this.lent.size > 0;
  }
}
