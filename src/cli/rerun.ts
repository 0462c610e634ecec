/// <reference types="node" />
// The same command run again after a run that completed: conditional by default (the page store is a state file
// beside --out, `<out>.pages.json`: each page's validators, the headers the walk goes on from, and its body), or
// incremental with --since (the last output is the previous result; only what changed is asked for and merged
// by key). Either way the new output is written to `<out>.partial` and replaces `<out>` atomically only when
// the run completes: a re-run that fails leaves the last complete output as it was.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import type { PageStore, StoredPage } from '../paginate/revalidate.js';
import { UsageError, type CollectCommand } from './args.js';
import { walkHash, writeAtomically } from './checkpoint-file.js';

export const statePath = (out: string) => `${out}.pages.json`;
export const partialPath = (out: string) => `${out}.partial`;

interface StateFile {
  readonly version: 1;
  /** The options the pages were kept for (walkHash): another command's pages are not asked about. */
  readonly walk: string;
  readonly savedAt: string;
  /** By the walk's key and the page request's key, both hashed: a query parameter holding a token is not written. */
  readonly pages: Record<string, StoredPage>;
}

const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);
const isPage = (page: unknown): page is StoredPage => {
  const p = page as Record<string, unknown>;
  return (
    typeof p === 'object' &&
    p !== null &&
    (p.etag === undefined || typeof p.etag === 'string') &&
    (p.lastModified === undefined || typeof p.lastModified === 'string') &&
    typeof p.headers === 'object' &&
    p.headers !== null &&
    Object.values(p.headers).every((v) => typeof v === 'string')
  );
};

/** The pages the last complete run kept, or undefined (no state, another command's, or unreadable: a full run then). */
function loadState(file: string, c: CollectCommand): Record<string, StoredPage> | undefined {
  let state: Partial<StateFile>;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as Partial<StateFile>;
  } catch {
    return undefined;
  }
  if (state?.version !== 1 || state.walk !== walkHash(c) || typeof state.pages !== 'object' || state.pages === null) return undefined;
  return Object.values(state.pages).every(isPage) ? state.pages : undefined;
}

/**
 * The page store of a conditional re-run: what the state file holds (read once), and what the new run keeps
 * (written by `save()` once the new output is in place).
 */
export function stateStore(out: string, c: CollectCommand): { store: PageStore; previous: boolean; save(): void } {
  const file = statePath(out);
  const previous = existsSync(out) ? loadState(file, c) : undefined;
  let kept: Record<string, StoredPage> | undefined;
  return {
    previous: previous !== undefined,
    store: {
      get: (walk, page) => previous?.[hash(`${walk}\n${page}`)],
      set: (walk, pages) => void (kept = Object.fromEntries([...pages].map(([page, stored]) => [hash(`${walk}\n${page}`), stored]))),
    },
    save() {
      if (kept === undefined) return; // not complete (a cap), or resumed: the last complete run's pages stay
      const state: StateFile = { version: 1, walk: walkHash(c), savedAt: new Date().toISOString(), pages: kept };
      writeAtomically(file, `${JSON.stringify(state)}\n`);
    },
  };
}

/** The new output takes the last one's place, whole (a rename on the same file system). */
export function replaceOutput(out: string): void {
  renameSync(partialPath(out), out);
}

/** A re-run that will not complete into this partial output any more (--restart): its partial output goes too. */
export function dropPartial(out: string): void {
  rmSync(partialPath(out), { force: true });
}

/** The items of the last complete output, for an incremental run (--since). */
export function previousItems(out: string): unknown[] {
  const items: unknown[] = [];
  const text = readFileSync(out, 'utf8');
  let line = 0;
  for (const row of text.split('\n')) {
    line++;
    if (row.trim() === '') continue;
    try {
      items.push(JSON.parse(row));
    } catch {
      throw new UsageError(
        `${out} line ${line} is not JSON: an incremental run (--since) merges into the last output; --full to collect everything again`,
      );
    }
  }
  return items;
}
