// The quota model's constants, shared by the per-process model (tracker.ts, from-429s.ts) and the fleet's Lua
// (substituted when the scripts are built: see fleet/scripts.ts), so that both models keep the same rules.

/** A probe unanswered this long stops holding the others back (it may hang; its timeout is not ours). */
export const PROBE_MS = 2000;

/** Clean, saturated windows after which a limit learned from 429s is forgotten unless a 429 confirmed it since. */
export const FORGET_AFTER = 8;
