/// <reference types="node" />
// Where the JSONL goes: a file (appended to on a resume, after cutting it back to what the checkpoint counts),
// a stream (stdout, with backpressure), or a function (the demo's check).
import { closeSync, fdatasyncSync, openSync, statSync, truncateSync, writeSync } from 'node:fs';
import { UsageError } from './args.js';

export interface Output {
  /** Writes one page of items, one JSON line each; resolves once they are durable (file) or accepted (stream). */
  write(items: readonly unknown[]): Promise<void>;
  /** Bytes in the file so far; undefined for a stream. */
  readonly bytes: number | undefined;
  close(): void;
}

const lines = (items: readonly unknown[]) => items.map((item) => `${JSON.stringify(item)}\n`).join('');

/**
 * A JSONL file. A fresh run truncates it; a resume first cuts it back to `resumeAt` bytes (the checkpoint
 * trails the file by at most one page: lines written after it, or half a line from a kill -9, are dropped and
 * fetched again), then appends.
 */
export function fileOutput(path: string, resumeAt?: number): Output {
  if (resumeAt !== undefined) {
    let size = -1;
    try {
      size = statSync(path).size;
    } catch {
      // missing: reported below
    }
    if (size < resumeAt)
      throw new UsageError(
        `${path} holds ${size < 0 ? 'nothing' : `${size} bytes`}, less than the ${resumeAt} bytes its checkpoint counts: it changed since; --restart to start over`,
      );
    truncateSync(path, resumeAt);
  }
  const fd = openSync(path, resumeAt === undefined ? 'w' : 'a');
  let bytes = resumeAt ?? 0;
  let durable = true;
  return {
    get bytes() {
      return bytes;
    },
    async write(items) {
      const data = Buffer.from(lines(items));
      for (let at = 0; at < data.length;) at += writeSync(fd, data, at);
      // On disk before the checkpoint that counts it is written: a crash never leaves a checkpoint ahead of the file.
      // A device or a pipe (/dev/null, /dev/stdout) cannot be synced (EINVAL): nothing to make durable there.
      if (durable)
        try {
          fdatasyncSync(fd);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
          durable = false;
        }
      bytes += data.length;
    },
    close: () => closeSync(fd),
  };
}

/** A stream such as stdout; waits for 'drain' when the reader is slower than the API. */
export function streamOutput(stream: NodeJS.WritableStream): Output {
  return {
    bytes: undefined,
    async write(items) {
      if (items.length === 0) return;
      if (!stream.write(lines(items))) await new Promise<void>((resolve) => stream.once('drain', resolve));
    },
    close: () => undefined,
  };
}

/** Hands each page's items to a function (the demo checks them instead of printing them). */
export function functionOutput(take: (items: readonly unknown[]) => void): Output {
  return {
    bytes: undefined,
    async write(items) {
      take(items);
    },
    close: () => undefined,
  };
}
