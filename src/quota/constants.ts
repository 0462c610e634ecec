// The quota model's constants, shared by the per-process model (tracker.ts, from-429s.ts) and the fleet's Lua
// (substituted when the scripts are built: see fleet/scripts.ts), so that both models keep the same rules.

/**
 * What a wait may exceed the longest pause by (maxPauseMs): resets and Retry-After come in whole seconds,
 * rounded up, so a window of a minute is learned or reported as up to a second longer, and it is still a minute's.
 */
export const ROUNDING_MS = 1000;

/** A probe unanswered this long stops holding the others back (it may hang; its timeout is not ours). */
export const PROBE_MS = 2000;

/** Clean, saturated windows after which a limit learned from 429s is forgotten unless a 429 confirmed it since. */
export const FORGET_AFTER = 8;

/**
 * Clean, saturated windows between two widenings of a learned limit at most. A widening the API refuses (a
 * 429 at limit + 1) doubles the gap before the next one, from 1 up to this; one it accepts brings it back to 1.
 * Half FORGET_AFTER, so that a limit the API still enforces is met again well before it would be forgotten.
 */
export const MAX_WIDEN_GAP = 4;
