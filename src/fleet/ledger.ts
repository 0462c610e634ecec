import type Bottleneck from 'bottleneck';
import type { QuotaReport } from '../quota/report.js';
import { storeOf } from '../limit/bottleneck.js';
import { ledgerKeys } from './keys.js';
import { abortReason } from '../util/sleep.js';
import { SCRIPTS } from './scripts.generated.js';
import { loadScripts, runScript, type Script, type ScriptClient } from './run-script.js';
import { WakeChannel, type WakeClient } from './wake-channel.js';
import { AnswerQueue } from './answers.js';
import {
  parseReply,
  refusal,
  type Admission,
  type Answer,
  type FleetLimits,
  type Grant,
  type ProbeSchedule,
  type Reply,
} from './verdict.js';

/** How long the ledger outlives the last dispatch: far longer than any window worth pacing. */
const KEEP_MS = 24 * 3600 * 1000;
/** How soon to ask again when what remains is all taken by unanswered requests, for a caller nobody wakes. */
const RECHECK_MS = 50;
/** A listed process asks again after this even if no wake came (a wake lost with a dropped connection). */
const LOST_WAKE_MS = 30_000;
/** How far ahead a start may be reserved under the fleet's minTime. */
const HORIZON_MS = 1000;
/** Most grants one round trip asks for. */
const MAX_BATCH = 64;

interface Ask {
  readonly limits: FleetLimits;
  readonly resolve: (answer: Admission | undefined) => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
}

/**
 * What a fleet shares through the Redis of its limiter: its pause (so a process that was not listening when a
 * 429 was broadcast still waits), its concurrency and spacing (maxConcurrent, minTime), its quota — every
 * process counts its dispatches there and stores what the API reports, so what remains is charged with the
 * whole fleet's unanswered requests, not one process' — and a wait list. Checking and counting are one Lua
 * script, so two processes cannot both take the last token.
 *
 * The cost a fleet puts on Redis is what this class is shaped by (docs/scale.md): the requests of one process
 * that wait together ask in one round trip (`acquire`); answers report together and ask for the next in one
 * (`done`: an answer waits a few ms for its siblings, and those that come while a DONE is on its way go in the
 * next); a process refused for want of room is listed and woken by one PUBLISH when an answer frees room, never
 * by asking again on a timer; when a window's quota is spent one process asks at its reset and the rest are
 * woken by what its answer reports.
 *
 * Fails open: when Redis does not answer (restarting, keys lost), the dispatch goes uncounted and each
 * process' own pause gate, lane and QuotaTracker still hold it to what that process saw; the next report
 * rebuilds the ledger.
 */
export class FleetLedger {
  private readonly client: ScriptClient;
  private readonly keys: readonly [string, string, string, string];
  private checking: Promise<Admission | undefined> | undefined;
  /** This process' name on the wait list, and the channel it is woken on. */
  private readonly pid = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  private readonly pending: Ask[] = [];
  private asking = false;
  /** Answers not yet reported, and whether a DONE is on its way: those that come meanwhile go in the next one. */
  private readonly answers = new AnswerQueue(() => this.pump());
  private settling = false;
  /** The DONE on its way, once its reply was handled. */
  private reporting: Promise<unknown> = Promise.resolve();
  private later: ReturnType<typeof setTimeout> | undefined;
  /** Grants another process' answer handed to this one with its wake, for the asks that come with it. */
  private readonly handed: Grant[] = [];
  private unclaimed: ReturnType<typeof setTimeout> | undefined;
  /** Wakes received so far: one that arrives while an ask is on its way (its reply may still list us) counts. */
  private wakes = 0;
  /** Whether this process can be woken (subscribed to its channel). */
  private listening = false;
  /** While this process is on the wait list: the refusal new asks share (no round trip), and until when. */
  private listed: { answer: Extract<Admission, { go: false }>; until: number } | undefined;
  private readonly wakeChannel: WakeChannel;
  private last: FleetLimits = { quota: true, blindCap: 1e9, expiration: 60_000, maxConcurrent: 0, minTime: 0 };

  /** The probe schedule of the fleet's health (the first attach() of the limiter sets it). */
  probes: ProbeSchedule = { minProbeMs: 1000, maxProbeMs: 30_000, probeLeaseMs: 30_000 };

  /** On a Redis Cluster PUBLISH counts one node's listeners only: the scripts must not read 0 as a dead process. */
  private readonly clustered: boolean;

  constructor(client: ScriptClient, id: string, subscriber?: WakeClient) {
    this.client = client;
    this.clustered = (client as { isCluster?: unknown }).isCluster === true;
    this.keys = ledgerKeys(id);
    this.wakeChannel = new WakeChannel(subscriber, `${this.keys[2]}:${this.pid}`, this.keys[2], {
      heard: (message) => this.heard(message),
      askAgain: () => this.woken(),
    });
    // Subscribed once, when the limiter is set up: a process is woken only on a channel Redis knows it listens on.
    if (subscriber) void this.wakeChannel.listen();
    loadScripts(client, [SCRIPTS.take, SCRIPTS.done]);
  }

  /** The ledger of a Redis-backed limiter, or undefined when its client cannot run scripts. */
  static of(limiter: Bottleneck): FleetLedger | undefined {
    const connection = storeOf(limiter)?.connection;
    const client = connection?.client as Partial<ScriptClient> | undefined;
    const subscriber = connection?.subscriber as Partial<WakeClient> | undefined;
    if (typeof client?.eval !== 'function') return undefined;
    const wakes = typeof subscriber?.subscribe === 'function' && typeof subscriber.on === 'function';
    return new FleetLedger(client as ScriptClient, limiter.id, wakes ? (subscriber as WakeClient) : undefined);
  }

  /**
   * May a request go, or is the fleet paused? Counts nothing. Requests asking together share one round trip
   * (25 at once cost one script run, not 25); `fresh` asks anew, for a job granted its slot, whose answer
   * must not predate the grant.
   */
  check(fresh = false): Promise<Admission | undefined> {
    if (fresh) return this.once('0', 0);
    this.checking ??= this.once('0', 0).finally(() => (this.checking = undefined));
    return this.checking;
  }

  /**
   * One dispatch counted against the fleet's quota (it stays counted until answered, or for `expiration` ms),
   * or how long to wait; asked alone and never listed (see `acquire` for what requests use). `blindCap`: how
   * many may be unanswered while nothing is known.
   */
  take(blindCap: number, expiration: number): Promise<Admission | undefined> {
    return this.once('1', blindCap, expiration);
  }

  private once(mode: '0' | '1', blindCap: number, expiration = 0): Promise<Admission | undefined> {
    const limits = { quota: true, blindCap, expiration, maxConcurrent: 0, minTime: 0 };
    return this.run(SCRIPTS.take, this.header(limits, 1, '', mode)).then((reply) => this.single(reply, mode));
  }

  private single(reply: unknown, mode: '0' | '1'): Admission | undefined {
    const r = parseReply(reply);
    if (!r) return undefined;
    if (r[0] > 0) {
      if (mode === '0' && !r[2]) return { go: true };
      return { go: true, grant: this.answers.lend({ entry: String(r[1][0] ?? ''), ...(r[2] && { probe: r[2] }) }) };
    }
    return refusal(r, false);
  }

  /**
   * A request's turn to be counted (see FleetLimits): a grant, or a refusal saying how long to wait. The
   * requests of this process that ask together share one round trip; while this process is listed, new asks
   * wait for its wake without one. Rejects when `signal` aborts before the answer.
   */
  acquire(limits: FleetLimits, signal?: AbortSignal): Promise<Admission | undefined> {
    return new Promise((resolve, reject) => {
      const ask: Ask = { limits, resolve, reject, signal };
      if (signal) {
        const onAbort = () => {
          const index = this.pending.indexOf(ask);
          if (index >= 0) this.pending.splice(index, 1);
          reject(abortReason(signal));
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
      }
      this.pending.push(ask);
      this.pump();
    });
  }

  /**
   * Waits for this process' wake (an answer somewhere in the fleet freed room), or `waitMs`, or `signal`.
   */
  waitForWake(waitMs: number, signal?: AbortSignal): Promise<void> {
    return this.wakeChannel.wait(waitMs, signal);
  }

  /**
   * A wake on this process' channel: 'w', or 'g'/'h' and the grants handed to it (`entry,delay` pairs, ';'); or 'd'
   * and the ms until the window ends, when this process is to ask then.
   */
  private heard(message: string): void {
    if (message.startsWith('g') || message.startsWith('h')) {
      // 'g': off the wait list (new asks go to Redis again); 'h': still listed for the rest.
      if (message.startsWith('g')) this.listed = undefined;
      let count = 0;
      for (const pair of message.slice(1).split(';')) {
        const [entry, delay] = pair.split(',');
        if (!entry) continue;
        this.handed.push({ entry, ...(Number(delay) > 0 && { delayMs: Number(delay) }) });
        count++;
      }
      // Grants nobody here claims (the requests were cancelled meanwhile) go back before they hold the fleet.
      clearTimeout(this.unclaimed);
      this.unclaimed = setTimeout(() => {
        for (const grant of this.handed.splice(0)) this.done(grant, undefined, Date.now(), 'unsent');
      }, 250);
      // 'h': as many waiting requests as there are grants, the rest keep their place on the list. 'g': all of them
      // — Redis counted only the requests that had asked when the process was listed; the rest ask again.
      this.wakes++;
      this.wakeChannel.wake(message.startsWith('g') ? undefined : count);
      this.pump(); // asks already pending take theirs at once
    } else if (message.startsWith('d')) {
      // This process is now the one to ask when the window ends, in that many ms.
      const ms = Number(message.slice(1));
      if (Number.isFinite(ms) && ms >= 0) setTimeout(() => this.woken(), ms);
    } else if (message === 'w') this.woken();
  }

  /** Every request of this process waiting for a wake asks again (the fleet's API is back: nothing handed room while it was down). */
  wakeAll(): void {
    this.woken();
  }

  /** Woken: the wait list's room is this process' to ask for. */
  private woken(): void {
    this.wakes++;
    this.listed = undefined;
    this.wakeChannel.wake();
  }

  /**
   * Sends the pending asks as one TAKE — a timer tick later, so the requests a caller starts together ask
   * together — unless one is on its way. Answers go at once in one DONE, which takes the pending asks along;
   * while a DONE is on its way, the answers that come meanwhile wait for it and go together in the next.
   */
  private pump(): void {
    while (this.handed.length > 0 && this.pending.length > 0) {
      const ask = this.pending.shift() as Ask;
      const grant = this.handed.shift() as Grant;
      ask.resolve({ go: true, grant: this.answers.lend(grant) });
    }
    const listed = this.listed;
    if (listed && Date.now() < listed.until && this.pending.length > 0) {
      // Listed: every new ask waits for the wake with the rest, without a round trip.
      const answer = { ...listed.answer, waitMs: listed.until - Date.now() };
      for (const ask of this.pending.splice(0)) ask.resolve(answer);
    }
    if (this.answers.length > 0 && !this.settling) {
      this.settling = true;
      const carry = this.answers.next();
      if (!this.asking && this.pending.length > 0) return this.send(carry);
      this.reporting = this.run(SCRIPTS.done, [...this.header(this.last, 0, ''), ...carry]).then(() => {
        this.settling = false;
        this.pump();
      });
      return;
    }
    if (this.asking || this.later !== undefined || this.pending.length === 0) return;
    this.later = setTimeout(() => {
      this.later = undefined;
      if (!this.asking && this.pending.length > 0) this.send();
    }, 0);
  }

  private send(carry?: (string | number)[]): void {
    clearTimeout(this.later);
    this.later = undefined;
    this.listed = undefined;
    this.asking = true;
    const batch = this.pending.splice(0, MAX_BATCH);
    const limits = batch.reduce(
      (a, b) => (b.limits.expiration > a.expiration ? { ...a, expiration: b.limits.expiration } : a),
      batch[0].limits,
    );
    this.last = limits;
    const wakes = this.wakes;
    const sent = this.wakeChannel
      .listen()
      .then((wakes) => {
        this.listening = wakes;
        const args = this.header(limits, batch.length, wakes ? this.pid : '');
        return carry ? this.run(SCRIPTS.done, [...args, ...carry]) : this.run(SCRIPTS.take, args);
      })
      .then((reply) => {
        this.asking = false;
        if (carry) this.settling = false;
        this.answer(batch, parseReply(reply), this.listening, wakes !== this.wakes);
        this.pump();
      });
    if (carry) this.reporting = sent;
  }

  /**
   * Resolves once every answer given so far was reported: its DONE answered by Redis, or given up on after
   * ANSWER_MS (never rejects). For a limiter about to disconnect, and for tests.
   */
  async reported(): Promise<void> {
    for (;;) {
      this.answers.hurry();
      if (!this.settling && this.answers.length > 0) this.pump(); // those waiting for their siblings go now
      if (!this.settling) return;
      await this.reporting;
    }
  }

  /** Hands a reply's grants to the asks in order; the rest share its refusal, or ask again. */
  private answer(batch: Ask[], r: Reply | undefined, listening: boolean, wokenMeanwhile: boolean): void {
    if (!r) {
      for (const ask of batch) ask.resolve(undefined);
      return;
    }
    const [got, grants, token] = r;
    let denied = r[4] > 0 ? refusal(r, listening) : undefined;
    // Woken while this ask was on its way (the wake crossed its reply): ask again rather than wait for another.
    if (denied?.listed && wokenMeanwhile) denied = undefined;
    if (denied?.listed) this.listed = { answer: denied, until: Date.now() + denied.waitMs };
    const again: Ask[] = [];
    batch.forEach((ask, i) => {
      if (i < got) {
        const delayMs = Number(grants[2 * i + 1]) || 0;
        const grant: Grant = { entry: String(grants[2 * i]), ...(token && { probe: token }), ...(delayMs > 0 && { delayMs }) };
        return ask.resolve({ go: true, grant: this.answers.lend(grant) });
      }
      if (ask.signal?.aborted) return;
      if (denied) ask.resolve(denied);
      else again.push(ask); // a probe went alone, or a wake came meanwhile: the rest ask again at once
    });
    this.pending.unshift(...again);
  }

  /** The shared ARGV of TAKE and DONE (see lua/take-one.lua). */
  private header(limits: FleetLimits, want: number, pid: string, mode: '0' | '1' | '2' = limits.quota ? '1' : '2'): (string | number)[] {
    const wait = pid ? LOST_WAKE_MS * (1 + 0.2 * Math.random()) : RECHECK_MS;
    return [
      KEEP_MS,
      Math.ceil(limits.expiration),
      Math.round(wait),
      mode,
      limits.blindCap,
      this.probes.probeLeaseMs,
      want,
      limits.maxConcurrent,
      Math.ceil(limits.minTime),
      pid,
      HORIZON_MS,
      this.clustered ? 1 : 0,
    ];
  }

  /**
   * This process found the API down: the fleet's outage starts, its first probe after `delayMs` — unless the
   * fleet knew already, when its schedule is returned (how long it has been down, and until its next probe).
   */
  down(delayMs: number, intervalMs: number): Promise<{ ageMs: number; untilNextMs: number } | undefined> {
    return this.run(SCRIPTS.down, [Math.ceil(delayMs), Math.ceil(intervalMs), this.probes.maxProbeMs, KEEP_MS]).then((reply) =>
      Array.isArray(reply) && reply[0] === 0 ? { ageMs: Number(reply[1]), untilNextMs: Number(reply[2]) } : undefined,
    );
  }

  /**
   * What an answer says of a down fleet's API (`u` up, `d` down, '' neither), and the probe token its grant
   * carried. Resolves true when it ended the fleet's outage (two successes in a row).
   */
  health(evidence: 'u' | 'd' | '', probe: string | undefined, jitter: number): Promise<boolean> {
    const args = [evidence, probe ?? '', jitter.toFixed(3), this.probes.minProbeMs, this.probes.maxProbeMs];
    return this.run(SCRIPTS.health, args).then((reply) => reply === 2);
  }

  /**
   * Marks a counted dispatch answered (or never sent) and keeps what its response reported, if anything; an
   * `answer` without rate-limit headers (its status, and a 429's Retry-After) teaches the fleet's learned quota;
   * `'unsent'`: the grant was given back before it was sent. Answers report together (see AnswerQueue), and
   * when requests of this process wait, the same round trip asks for them. Without a grant (Redis did not answer
   * when it was counted) only a report is worth sending. Fire and forget: a lost call only makes the ledger more
   * careful until the entry ages out.
   */
  done(grant: Grant | undefined, report?: QuotaReport, now: number = Date.now(), answer?: Answer | 'unsent'): void {
    if (grant?.entry || report) this.answers.add(grant, report, now, answer);
  }

  /**
   * Pauses every process of the fleet for `delayMs` (the pub/sub broadcast says it too). Resolves once Redis
   * stored it, or after a second without an answer; never rejects.
   */
  async pause(delayMs: number): Promise<void> {
    await this.run(SCRIPTS.pause, [Math.ceil(delayMs), KEEP_MS]);
  }

  private run(script: Script, args: (string | number)[]): Promise<unknown> {
    return runScript(this.client, this.keys, script, args);
  }
}
