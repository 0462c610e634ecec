/// <reference types="node" />
// `axios-steady collect <url>`: a thin layer over attach() and paginate.pages(). It maps flags to a strategy,
// writes each page as JSONL, saves the checkpoint after every page, and on Ctrl-C or a failure stops with the
// checkpoint in place, so that the same command resumes.
import { existsSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import axios, { type AxiosResponse } from 'axios';
import { attach } from '../attach.js';
import { PaginationError } from '../errors.js';
import { readPath } from '../paginate/body.js';
import { mergeByKey, sinceRequest } from '../paginate/incremental.js';
import { pages } from '../paginate/pages.js';
import type { Checkpoint, PageRequest, Progress } from '../paginate/types.js';
import type { RetryEvent } from '../types.js';
import { UsageError, type CollectCommand } from './args.js';
import {
  checkOutput,
  loadCheckpoint,
  removeCheckpoint,
  saveCheckpoint,
  walkHash,
  withoutSecrets,
  type SavedCheckpoint,
} from './checkpoint-file.js';
import { fileOutput, streamOutput, type Output } from './output.js';
import { dropPartial, partialPath, previousItems, replaceOutput, stateStore } from './rerun.js';
import { createDisplay } from './progress.js';
import { redactHeaders, redactText } from './redact.js';
import { hint, STATUS_EVERY_MS, summary, waiting } from './report.js';
import { strategyOf } from './strategy-flags.js';

export const EXIT = { complete: 0, failed: 1, usage: 2, interrupted: 130, terminated: 143 } as const;

export interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WriteStream;
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
  /** The exit code of the interruption that aborted `signal` (130 for SIGINT, 143 for SIGTERM). */
  readonly interrupted?: () => number;
}

/** `<out>.checkpoint.json`, or `--checkpoint`; none for stdout unless asked. */
export const checkpointPath = (c: CollectCommand): string | undefined => c.checkpoint ?? (c.out ? `${c.out}.checkpoint.json` : undefined);

function isRegularFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** A file the command cannot write is a usage problem (exit 2), found before anything is fetched. */
function checkWritable(file: string, what: string): void {
  const dir = path.dirname(path.resolve(file));
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
  } catch {
    throw new UsageError(`${what} ${file}: the directory ${dir} does not exist`);
  }
}

/** Runs the collection; resolves to the exit code. Usage problems found on the way (a foreign checkpoint) throw UsageError. */
export async function runCollect(c: CollectCommand, io: Io, output?: Output): Promise<number> {
  const file = checkpointPath(c);
  if (c.out && !output) checkWritable(c.out, '--out');
  if (file) checkWritable(file, 'the checkpoint');
  const strategy = strategyOf(c);
  if (file && c.restart) removeCheckpoint(file);
  if (c.out && c.restart) dropPartial(c.out);
  const saved = file ? loadCheckpoint(file, c, strategy.name) : undefined;
  if (saved && c.out && saved.bytes === undefined)
    throw new UsageError(`${file} was written while collecting to stdout, not to ${c.out}; --restart to start over`);
  // A run over a complete output (or resuming one) writes <out>.partial, which replaces <out> when it completes.
  // Only for a regular file: a device or a pipe (/dev/full, a FIFO) is written as it is, never renamed over.
  const regular = c.out !== undefined && !output && isRegularFile(c.out);
  const rerun = saved ? saved.partial === true : regular;
  const target = c.out && rerun ? partialPath(c.out) : c.out;
  if (saved && target && !output) checkOutput(target, saved);
  // The last complete run's pages (conditional requests), or its items (--since): what a re-run builds on.
  const state = c.out && (regular || !existsSync(c.out)) && !output && !c.full && !c.since ? stateStore(c.out, c) : undefined;
  const incremental =
    c.since && rerun && !saved
      ? sinceRequest<unknown>(c.url.pathname + c.url.search, { ...c.since, previous: previousItems(c.out as string) })
      : undefined;
  const out = output ?? (target ? fileOutput(target, saved?.bytes ?? (saved ? 0 : undefined)) : streamOutput(io.stdout));
  const resumed = saved?.checkpoint;
  const display = createDisplay(io.stderr, c.quiet, resumed?.items);
  const doing = resumed
    ? `resuming at ${resumed.items} items, ${resumed.pages} pages`
    : incremental
      ? `collecting what changed since ${c.since?.field} ${String(incremental.from)} in`
      : state?.previous
        ? 'asking what changed in'
        : 'collecting';
  display.say(
    `axios-steady: ${doing} ${redactText(c.url.href)}` + (Object.keys(c.headers).length > 0 ? ` (${redactHeaders(c.headers)})` : ''),
  );

  const api = axios.create({
    baseURL: c.url.origin,
    timeout: c.timeout,
    headers: { Accept: 'application/json', ...c.headers },
    ...(c.auth && { auth: c.auth }),
  });
  // What the command tells a person while nothing comes in: the last retry, a pause, an outage (see `waiting`).
  let lastRetry: RetryEvent | undefined;
  const steady = attach(api, {
    limiter: { maxConcurrent: c.concurrency, ...(c.rate && { minTime: Math.ceil(1000 / c.rate) }) },
    retry: { onRetry: (event) => void (lastRetry = event) },
  });
  // The output's length when the walk had yielded so many items: a checkpoint of a page already written (a
  // TOTAL_MISMATCH fetches the last one again) cuts the file back to there.
  const bytesAt = new Map<number, number>();
  const save = (checkpoint: Checkpoint | null) => {
    if (!file || incremental) return; // an incremental run is short, and writes nothing until it is merged
    if (checkpoint === null) return removeCheckpoint(file);
    const { next, fromCommand } = withoutSecrets(checkpoint.next, c.url);
    const bytes = bytesAt.get(checkpoint.items) ?? out.bytes;
    const record: SavedCheckpoint = {
      version: 1,
      walk: walkHash(c),
      url: redactText(c.url.href),
      checkpoint: { ...checkpoint, next },
      ...(fromCommand.length > 0 && { fromCommand }),
      ...(bytes !== undefined && { bytes }),
      ...(rerun && { partial: true as const }),
      savedAt: new Date().toISOString(),
    };
    saveCheckpoint(file, record);
  };

  let last: Progress | undefined;
  const started = Date.now();
  const room = (cap: number | undefined, done: number) => (cap === undefined ? undefined : cap - done);
  const maxItems = room(c.maxItems, resumed?.items ?? 0);
  const maxPages = room(c.maxPages, resumed?.pages ?? 0);
  let code: number = EXIT.complete;
  let failure: PaginationError | Error | undefined;
  let written = resumed?.items ?? 0;
  const changes: unknown[] = [];
  let merged: ReturnType<typeof mergeByKey> | undefined;
  let closed = false;
  // Whenever nothing has come in for 2 s — the first page included — say why: an outage, a pause, a retry.
  let lastPageAt = Date.now();
  const ticker = setInterval(() => {
    const now = Date.now();
    if (now - lastPageAt < STATUS_EVERY_MS) return;
    display.status(waiting(steady, lastRetry, now));
  }, 1000);
  ticker.unref();
  try {
    if ((maxItems ?? 1) > 0 && (maxPages ?? 1) > 0) {
      const first: string | PageRequest = incremental?.request ?? c.url.pathname + c.url.search;
      const walk = pages(api, first, {
        strategy,
        ...(state && { revalidate: state.store }),
        concurrency: c.concurrency,
        signal: io.signal,
        ...(c.items && { items: (r: AxiosResponse) => readPath(c.items as string)(r) as unknown[] }),
        ...(maxItems !== undefined && { maxItems }),
        ...(maxPages !== undefined && { maxPages }),
        ...(resumed && { resume: resumed }),
        config: { steady: { patience: c.patience, ...(c.retries !== undefined && { retry: { retries: c.retries } }) } },
        onProgress: (p) => {
          last = p;
          lastPageAt = Date.now();
          display.update(p, { ...steady.stats(), quota: steady.quota() });
        },
      });
      for await (const page of walk) {
        if (incremental) {
          changes.push(...page.items);
          continue;
        }
        if (out.bytes !== undefined) bytesAt.set(written, out.bytes);
        await out.write(page.items).catch((error: unknown) => {
          // A full disk, a closed pipe: what is written so far is counted by the last checkpoint saved.
          throw new Error(`could not write ${c.out ?? 'the output'}: ${error instanceof Error ? error.message : String(error)}`, {
            cause: error,
          });
        });
        written += page.items.length;
        save(page.checkpoint);
      }
    }
    if (incremental) {
      merged = mergeByKey(incremental.o.previous, changes, incremental.o.key);
      await out.write(merged.items);
    }
    out.close();
    closed = true;
    if (c.out && rerun) replaceOutput(c.out);
    state?.save();
    if (file) removeCheckpoint(file);
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    const stopped = error instanceof PaginationError;
    code = stopped && error.code === 'ABORTED' ? (io.interrupted?.() ?? EXIT.interrupted) : EXIT.failed;
    // What was yielded is written; the error's checkpoint is where the next run starts (null: nothing to resume).
    // A failure to write (a full disk) leaves the last checkpoint saved, which the file holds.
    if (stopped) save(error.checkpoint);
  } finally {
    clearInterval(ticker);
    display.stop();
    if (!closed) out.close();
    steady.detach();
    // An incremental run that did not complete leaves nothing behind: the next one asks again.
    if (incremental && code !== EXIT.complete) rmSync(partialPath(c.out as string), { force: true });
  }
  const what = summary(steady.stats(), last, resumed, merged, incremental?.from, Date.now() - started);
  const where = c.out ? ` → ${c.out}` : '';
  const resume = file && existsSync(file) ? `; run the same command again to resume (checkpoint: ${file})` : '';
  if (code === EXIT.complete) display.say(`axios-steady: complete: ${what}${where}`);
  else if (code !== EXIT.failed) display.say(`axios-steady: interrupted: ${what}${where}${resume}`);
  else {
    const message = String(failure?.message).replace(/^axios-steady: /, '');
    const reason = failure instanceof PaginationError ? `${failure.code}: ${message}` : message;
    // A failure is printed even with --quiet.
    io.stderr.write(`axios-steady: failed (${redactText(reason)}) after ${what}${where}${resume}\n`);
    const next = hint(failure);
    if (next) io.stderr.write(`axios-steady: ${next}\n`);
  }
  return code;
}
