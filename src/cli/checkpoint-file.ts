/// <reference types="node" />
// The durable checkpoint of `axios-steady collect`: written after every page (temp file, fsync, rename, so a
// crash leaves the old one or the new one, never half of one), with a hash of the options that shape the walk
// and the output's length at that page, so a resume can cut off lines written after it.
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { Checkpoint } from '../paginate/types.js';
import { UsageError, type CollectCommand } from './args.js';

export interface SavedCheckpoint {
  readonly version: 1;
  /** Hash of what shapes the walk: URL, strategy and its fields. Headers (tokens rotate) and caps do not. */
  readonly walk: string;
  readonly url: string;
  readonly checkpoint: Checkpoint;
  /** Bytes of the output file up to and including the last page the checkpoint counts (absent for stdout). */
  readonly bytes?: number;
  readonly savedAt: string;
}

/** The hash that ties a checkpoint to the options it was written for. */
export function walkHash(c: CollectCommand): string {
  const shape = [c.url.href, c.strategy, c.items, c.next, c.param, c.total, c.totalPages, c.limit];
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 16);
}

/** The checkpoint saved for this walk; undefined when there is none. A checkpoint of other options is refused. */
export function loadCheckpoint(file: string, c: CollectCommand): SavedCheckpoint | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let saved: SavedCheckpoint;
  try {
    saved = JSON.parse(text) as SavedCheckpoint;
  } catch {
    throw new UsageError(`${file} is not a checkpoint (it does not parse); --restart discards it`);
  }
  if (saved?.version !== 1 || typeof saved.walk !== 'string' || typeof saved.checkpoint !== 'object')
    throw new UsageError(`${file} is not a checkpoint of this version; --restart discards it`);
  if (saved.walk !== walkHash(c))
    throw new UsageError(
      `${file} was written for other options (${saved.url}); run the command that wrote it to resume, or --restart to discard it`,
    );
  return saved;
}

export function saveCheckpoint(file: string, saved: SavedCheckpoint): void {
  // One fixed name: a temp file a kill -9 left behind is overwritten by the next save, and removed with the checkpoint.
  const temp = `${file}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, `${JSON.stringify(saved, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}

export function removeCheckpoint(file: string): void {
  rmSync(file, { force: true });
  rmSync(`${file}.tmp`, { force: true });
}
