/// <reference types="node" />
// `axios-steady collect <url>`: a thin layer over attach() and paginate.pages(). It maps flags to a strategy,
// writes each page as JSONL, saves the checkpoint after every page, and on Ctrl-C or a failure stops with the
// checkpoint in place, so that the same command resumes.
import axios, { type AxiosResponse } from 'axios';
import { attach } from '../attach.js';
import { PaginationError } from '../errors.js';
import { at } from '../paginate/detect.js';
import { getHeader } from '../retry/retry-after.js';
import { pages } from '../paginate/iterator.js';
import { auto } from '../paginate/strategies/auto.js';
import { cursor } from '../paginate/strategies/cursor.js';
import { linkHeader } from '../paginate/strategies/link-header.js';
import { nextUrl } from '../paginate/strategies/next-url.js';
import { offset } from '../paginate/strategies/offset.js';
import { pageNumber } from '../paginate/strategies/page-number.js';
import type { Checkpoint, Progress, Strategy } from '../paginate/types.js';
import { UsageError, type CollectCommand, type Field } from './args.js';
import { loadCheckpoint, removeCheckpoint, saveCheckpoint, walkHash, type SavedCheckpoint } from './checkpoint-file.js';
import { fileOutput, streamOutput, type Output } from './output.js';
import { createDisplay } from './progress.js';
import { redactHeaders, redactText } from './redact.js';

export const EXIT = { complete: 0, failed: 1, usage: 2, interrupted: 130 } as const;

export interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WriteStream;
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
}

const reader = (field: Field) => (response: AxiosResponse) =>
  ('header' in field ? getHeader(response.headers, field.header) : at(field.path)(response)) as never;

function strategyOf(c: CollectCommand): Strategy {
  const next = c.next && 'path' in c.next ? reader(c.next) : undefined;
  const total = c.total && reader(c.total);
  switch (c.strategy) {
    case 'auto':
      return auto();
    case 'link':
      return linkHeader();
    case 'cursor':
      return cursor({ param: c.param ?? 'cursor', next: next as (r: AxiosResponse) => string });
    case 'next':
      return nextUrl({ next: next ?? reader({ path: 'next' }) });
    case 'page':
      return pageNumber({
        ...(c.param && { param: c.param }),
        ...(c.totalPages && { totalPages: reader(c.totalPages) }),
        ...(total && { totalItems: total }),
      });
    case 'offset':
      return offset({ ...(c.param && { param: c.param }), ...(c.limit && { limit: c.limit }), ...(total && { total }) });
  }
}

/** `<out>.checkpoint.json`, or `--checkpoint`; none for stdout unless asked. */
export const checkpointPath = (c: CollectCommand): string | undefined => c.checkpoint ?? (c.out ? `${c.out}.checkpoint.json` : undefined);

/** Runs the collection; resolves to the exit code. Usage problems found on the way (a foreign checkpoint) throw UsageError. */
export async function runCollect(c: CollectCommand, io: Io, output?: Output): Promise<number> {
  const file = checkpointPath(c);
  if (file && c.restart) removeCheckpoint(file);
  const saved = file ? loadCheckpoint(file, c) : undefined;
  if (saved && c.out && saved.bytes === undefined)
    throw new UsageError(`${file} was written while collecting to stdout, not to ${c.out}; --restart to start over`);
  const out = output ?? (c.out ? fileOutput(c.out, saved?.bytes ?? (saved ? 0 : undefined)) : streamOutput(io.stdout));
  const resumed = saved?.checkpoint;
  const display = createDisplay(io.stderr, c.quiet, resumed?.items);
  display.say(
    `axios-steady: ${resumed ? `resuming at ${resumed.items} items, ${resumed.pages} pages` : 'collecting'} ${redactText(c.url.href)}` +
      (Object.keys(c.headers).length > 0 ? ` (${redactHeaders(c.headers)})` : ''),
  );

  const api = axios.create({ baseURL: c.url.origin, timeout: c.timeout, headers: { Accept: 'application/json', ...c.headers } });
  const steady = attach(api, { limiter: { maxConcurrent: c.concurrency, ...(c.rate && { minTime: Math.ceil(1000 / c.rate) }) } });
  const save = (checkpoint: Checkpoint | null) => {
    if (!file) return;
    if (checkpoint === null) return removeCheckpoint(file);
    const record: SavedCheckpoint = {
      version: 1,
      walk: walkHash(c),
      url: redactText(c.url.href),
      checkpoint,
      ...(out.bytes !== undefined && { bytes: out.bytes }),
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
  try {
    if ((maxItems ?? 1) > 0 && (maxPages ?? 1) > 0) {
      const walk = pages(api, c.url.pathname + c.url.search, {
        strategy: strategyOf(c),
        concurrency: c.concurrency,
        signal: io.signal,
        ...(c.items && { items: (r: AxiosResponse) => at(c.items as string)(r) as unknown[] }),
        ...(maxItems !== undefined && { maxItems }),
        ...(maxPages !== undefined && { maxPages }),
        ...(resumed && { resume: resumed }),
        ...(c.retries !== undefined && { config: { steady: { retry: { retries: c.retries } } } }),
        onProgress: (p) => {
          last = p;
          display.update(p, steady.stats());
        },
      });
      for await (const page of walk) {
        await out.write(page.items);
        save(page.checkpoint);
      }
    }
    if (file) removeCheckpoint(file);
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    const stopped = error instanceof PaginationError;
    code = stopped && error.code === 'ABORTED' ? EXIT.interrupted : EXIT.failed;
    // What was yielded is written; the error's checkpoint is where the next run starts (null: nothing to resume).
    if (stopped) save(error.checkpoint);
  } finally {
    display.stop();
    out.close();
    steady.detach();
  }
  const stats = steady.stats();
  const p = last;
  const what = [
    `${p?.items ?? resumed?.items ?? 0} items`,
    `${p?.pages ?? resumed?.pages ?? 0} pages`,
    `${stats.attempts} requests`,
    `${stats.retries} retries`,
    `${stats.rateLimited} 429s`,
    `${stats.pauses} pauses`,
    ...(p ? [`strategy: ${p.strategy}`] : []),
    `${((Date.now() - started) / 1000).toFixed(1)} s`,
  ].join(', ');
  const where = c.out ? ` → ${c.out}` : '';
  const resume =
    file && failure instanceof PaginationError && failure.checkpoint ? `; run the same command again to resume (checkpoint: ${file})` : '';
  if (code === EXIT.complete) display.say(`axios-steady: complete: ${what}${where}`);
  else if (code === EXIT.interrupted) display.say(`axios-steady: interrupted: ${what}${where}${resume}`);
  else {
    const message = String(failure?.message).replace(/^axios-steady: /, '');
    const reason = failure instanceof PaginationError ? `${failure.code}: ${message}` : message;
    // A failure is printed even with --quiet.
    io.stderr.write(`axios-steady: failed (${redactText(reason)}) after ${what}${where}${resume}\n`);
  }
  return code;
}
