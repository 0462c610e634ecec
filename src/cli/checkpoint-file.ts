/// <reference types="node" />
// The durable checkpoint of `axios-steady collect`: written after every page (temp file, fsync, rename, so a
// crash leaves the old one or the new one, never half of one; mode 0600), with a hash of the options that shape
// the walk and the output's length at that page, so a resume can cut off lines written after it. Nothing in it
// is trusted: every field is checked, and against the output file it counts, before anything is written.
import { createHash } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, openSync, readFileSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { Checkpoint, PageParams, PageRequest } from '../paginate/types.js';
import { UsageError, type CollectCommand } from './args.js';
import { isSecretParam } from './redact.js';

export interface SavedCheckpoint {
  readonly version: 1;
  /** Hash of what shapes the walk: URL (credentials left out), strategy and its fields. Headers and caps do not. */
  readonly walk: string;
  /** The URL, redacted: for the person reading the file. */
  readonly url: string;
  /** Where to resume; query parameters that carry the command's own credentials are left out (see `withoutSecrets`). */
  readonly checkpoint: Checkpoint;
  /** Parameters of `checkpoint.next` left out because the command line gives them again (`?access_token=`). */
  readonly fromCommand?: readonly string[];
  /** Bytes of the output file up to and including the last page the checkpoint counts (absent for stdout). */
  readonly bytes?: number;
  /** A re-run: the output being written is `<out>.partial`, which replaces `<out>` when the run completes. */
  readonly partial?: true;
  readonly savedAt: string;
}

/** The hash that ties a checkpoint to the options it was written for (a rotated token does not change it). */
export function walkHash(c: CollectCommand): string {
  const url = new URL(c.url.href);
  for (const name of [...url.searchParams.keys()]) if (isSecretParam(name)) url.searchParams.set(name, '');
  const shape = [url.href, c.strategy, c.items, c.next, c.param, c.total, c.totalPages, c.limit];
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 16);
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isScalar = (v: unknown) => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/** What is wrong with a saved checkpoint's fields, or undefined when each is what it must be. */
function problem(saved: Record<string, unknown>, c: CollectCommand, strategy: string): string | undefined {
  if (saved.version !== 1) return `its version is ${JSON.stringify(saved.version)}, not 1`;
  if (typeof saved.walk !== 'string') return 'it names no walk';
  if (saved.walk !== walkHash(c)) return `it was written for other options (${String(saved.url)}); run the command that wrote it to resume`;
  const point = saved.checkpoint as Record<string, unknown> | null;
  if (typeof point !== 'object' || point === null || Array.isArray(point)) return `its checkpoint is ${JSON.stringify(point)}`;
  if (point.version !== 1 || point.strategy !== strategy)
    return `its checkpoint is for strategy ${JSON.stringify(point.strategy)}, not "${strategy}"`;
  const next = point.next as Record<string, unknown> | null;
  if (typeof next !== 'object' || next === null || typeof next.url !== 'string') return 'its checkpoint names no next request';
  const params = next.params as Record<string, unknown> | undefined;
  if (params !== undefined && (typeof params !== 'object' || params === null || !Object.values(params).every(isScalar)))
    return 'its next request has malformed params';
  if (!isCount(point.pages) || !isCount(point.items))
    return `its counts (pages ${JSON.stringify(point.pages)}, items ${JSON.stringify(point.items)}) are not whole numbers`;
  if (saved.bytes !== undefined && !isCount(saved.bytes)) return `its byte count ${JSON.stringify(saved.bytes)} is not a whole number`;
  if (saved.partial !== undefined && saved.partial !== true) return `its partial flag is ${JSON.stringify(saved.partial)}`;
  if (saved.fromCommand !== undefined && !(Array.isArray(saved.fromCommand) && saved.fromCommand.every((n) => typeof n === 'string')))
    return 'its list of parameters from the command is malformed';
  return undefined;
}

/**
 * The checkpoint saved for this walk, credentials given back from the command; undefined when there is none.
 * Anything that is not a checkpoint of these options, whole and well-formed, is a UsageError (exit 2): nothing
 * is overwritten.
 */
export function loadCheckpoint(file: string, c: CollectCommand, strategy: string): SavedCheckpoint | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read the checkpoint ${file}: ${(error as Error).message}`);
  }
  let saved: unknown;
  try {
    saved = JSON.parse(text);
  } catch {
    throw new UsageError(`${file} is not a checkpoint (it does not parse); --restart discards it`);
  }
  const wrong =
    typeof saved !== 'object' || saved === null || Array.isArray(saved)
      ? 'it is not an object'
      : problem(saved as Record<string, unknown>, c, strategy);
  if (wrong) throw new UsageError(`${file} cannot be resumed: ${wrong}; --restart discards it`);
  const valid = saved as SavedCheckpoint;
  return { ...valid, checkpoint: { ...valid.checkpoint, next: giveBack(valid.checkpoint.next, valid.fromCommand ?? [], c.url) } };
}

/**
 * The request to store for resuming: query parameters named like credentials whose value the command line
 * gives (`?access_token=…` in the URL) are left out and named in `fromCommand`; a resume takes them from the
 * command again. Those the API itself put into a next link stay (a resume needs them; the file is 0600).
 */
export function withoutSecrets(next: PageRequest, commandUrl: URL): { next: PageRequest; fromCommand: string[] } {
  const fromCommand = new Set<string>();
  const given = (name: string, value: unknown) =>
    isSecretParam(name) && commandUrl.searchParams.get(name) === String(value) && (fromCommand.add(name), true);
  const params = next.params && Object.fromEntries(Object.entries(next.params).filter(([name, value]) => !given(name, value)));
  let url = next.url;
  const at = url.indexOf('?');
  if (at >= 0) {
    const query = new URLSearchParams(url.slice(at + 1));
    for (const [name, value] of [...query]) if (given(name, value)) query.delete(name);
    url = `${url.slice(0, at)}${query.toString() ? `?${query}` : ''}`;
  }
  return { next: { url, ...(params && Object.keys(params).length > 0 && { params }) }, fromCommand: [...fromCommand] };
}

/** The stored request with the parameters it left out taken from the command's URL again. */
function giveBack(next: PageRequest, names: readonly string[], commandUrl: URL): PageRequest {
  if (names.length === 0) return next;
  const taken = Object.fromEntries(names.map((name) => [name, commandUrl.searchParams.get(name) ?? '']));
  if (/^[a-z][a-z0-9+.-]*:/i.test(next.url)) {
    const url = new URL(next.url);
    for (const [name, value] of Object.entries(taken)) url.searchParams.set(name, value);
    return { ...next, url: url.href };
  }
  return { ...next, params: { ...next.params, ...taken } as PageParams };
}

/**
 * Checks that the output file holds what the checkpoint counts: at least `bytes`, cut at a line's end, with
 * exactly `items` lines before it. A file edited, truncated or swapped since is a UsageError: resuming into it
 * would duplicate or lose items.
 */
export function checkOutput(path: string, saved: SavedCheckpoint): void {
  const bytes = saved.bytes as number;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    throw new UsageError(`${path} is missing, but its checkpoint counts ${bytes} bytes of it; --restart to start over`);
  }
  try {
    const chunk = Buffer.alloc(1 << 20);
    let lines = 0;
    let last = -1;
    for (let at = 0; at < bytes;) {
      const read = readSync(fd, chunk, 0, Math.min(chunk.length, bytes - at), at);
      if (read === 0)
        throw new UsageError(
          `${path} holds ${at} bytes, less than the ${bytes} its checkpoint counts: it changed since; --restart to start over`,
        );
      for (let i = 0; i < read; i++) if (chunk[i] === 10) lines++;
      last = chunk[read - 1] as number;
      at += read;
    }
    if (bytes > 0 && last !== 10)
      throw new UsageError(`${path}: its checkpoint ends inside a line (byte ${bytes}); the file changed since; --restart to start over`);
    if (lines !== saved.checkpoint.items)
      throw new UsageError(
        `${path} holds ${lines} items before byte ${bytes}, but its checkpoint counts ${saved.checkpoint.items}: one of them changed since; --restart to start over`,
      );
  } finally {
    closeSync(fd);
  }
}

export function saveCheckpoint(file: string, saved: SavedCheckpoint): void {
  writeAtomically(file, `${JSON.stringify(saved, null, 2)}\n`);
}

/** Writes a file whole or not at all (temp file, fsync, rename; mode 0600): a crash leaves the old one or the new one. */
export function writeAtomically(file: string, text: string): void {
  // One fixed name: a temp file a kill -9 left behind is overwritten by the next save, and removed with the file.
  const temp = `${file}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    fchmodSync(fd, 0o600); // a temp file left by an older version may have other permissions
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true }); // a full disk leaves no empty temp file behind
    throw error;
  }
  closeSync(fd);
  renameSync(temp, file);
}

export function removeCheckpoint(file: string): void {
  rmSync(file, { force: true });
  rmSync(`${file}.tmp`, { force: true });
}
