import { SCRIPTS } from './scripts.generated.js';

/**
 * The part of a Redis client used here: `evalsha(sha, numKeys, ...keysAndArgs, callback)` and `eval(script, …)`,
 * which ioredis and node-redis 3 (the two clients bottleneck drives) both take.
 */
export interface ScriptClient {
  eval(...args: unknown[]): unknown;
  evalsha?(...args: unknown[]): unknown;
  /** `script('LOAD', text, callback)` (both clients). */
  script?(...args: unknown[]): unknown;
}

/** One of the ledger's scripts (fleet/lua, assembled by scripts/lua.mjs): its text and SHA. */
export type Script = (typeof SCRIPTS)[keyof typeof SCRIPTS];

/** A ledger that does not answer within this is skipped for that dispatch (the limiter itself still holds). */
const ANSWER_MS = 1000;

/**
 * Loads scripts into Redis ahead of their first call (SCRIPT LOAD; a no-op for one Redis already has), so that a
 * process' first requests call them by SHA too: without it, every process of a fleet started together against a
 * Redis that had not seen them sends its first call twice — by SHA, refused NOSCRIPT, then with the text.
 * Failures are left to that fallback.
 */
export function loadScripts(client: ScriptClient, scripts: readonly Script[]): void {
  if (typeof client.script !== 'function') return;
  for (const script of scripts) {
    try {
      client.script('LOAD', script.lua, () => undefined);
    } catch {
      // the first call loads it
    }
  }
}

/**
 * Runs a script by its SHA (the text crosses the network once per Redis, not per call); a Redis that does not
 * have it (a restart, SCRIPT FLUSH, another node) answers NOSCRIPT, and EVAL of the text runs and loads it.
 * Resolves undefined when Redis did not answer within ANSWER_MS, or answered with an error; never rejects.
 */
export function runScript(
  client: ScriptClient,
  keys: readonly string[],
  script: Script,
  args: readonly (string | number)[],
): Promise<unknown> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ANSWER_MS);
    const done = (err: Error | null, reply: unknown) => {
      clearTimeout(timer);
      resolve(err ? undefined : reply);
    };
    const byText = () => client.eval(script.lua, keys.length, ...keys, ...args, done);
    try {
      if (typeof client.evalsha !== 'function') return void byText();
      client.evalsha(script.sha, keys.length, ...keys, ...args, (err: Error | null, reply: unknown) =>
        err && /NOSCRIPT/.test(err.message) ? byText() : done(err, reply),
      );
    } catch {
      clearTimeout(timer);
      resolve(undefined);
    }
  });
}
