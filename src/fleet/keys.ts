// Every Redis key axios-steady keeps for a fleet, and every field in them: the one place they are described.
// The four keys of a limiter share the `{id}` hashtag, so a Redis Cluster keeps them in one slot (the scripts touch
// both). bottleneck's own keys (`b_<id>_…`) sit beside them and are bottleneck's.
//
// `axios-steady:{<id>}:fleet` — a hash; times are Redis time (ms), the one clock every process shares:
//   pause        the fleet's pause end (a 429/503 named a delay)
//   n            dispatches counted so far (a grant's number; unique entries below)
//   e            the ledger's epoch (when it was created), the last part of every entry;   lost  the epoch of a lost
//                ledger whose answer already woke the fleet (FLUSHALL, keys deleted: see lua/settle.lua)
//   nx           the next start the fleet's minTime allows (each grant reserves its start)
//   ws           the wait list's arrival counter;   sw, swu  the process that asks again when a spent window ends,
//                and until when it is that one (the rest are woken by what its answer reports)
//   rem, reset   the freshest rate-limit report of the window: remaining, and when it resets
//   rp, rpAt     the grant probing a reported window after its reset, and when it was granted
//   — the quota learned from 429s (no rate-limit headers; the same model as quota/from-429s.ts) —
//   lim, conf    the learned limit, and 1 once a second 429 confirmed it
//   wst, wms     the learned window's start and length
//   used         grants sent in this window;   clean  saturated windows without a 429 since
//   test         the grant sent beyond a provisional limit, to test it;   tok  1 once a test went through in this
//                window (at its end a provisional limit is dropped; one whose test never went is kept)
//   rtt          a grant's round trip (answer less grant) with little else in flight, while the limit is provisional:
//                past its half, grants go one at a time when that fits in the window (see take-from-429s.lua)
//   ep, ok, epAt the counting epoch: its first grant number, its grants answered with success, its first time
//   pend         the last 429 event's pause end;   pep, pe  the grant numbers of the epoch that event ended
//   wv           once the window is known to have started: 1 it began at a pause's end, 2 its probe went through
//   sv           grants since the start of the last window known to have started;   rolls  windows started since
//                the event;   probe  the grant probing a window the estimate started (past `sv` = the limit);
//   bf           the first such grant since the last window known to have started (a 429 from it on: the window
//                is longer; before it: the limit is lower)
//   gap, gapn    saturated windows the next widening waits for (1, 2, 4: doubled by each widening refused), and
//                those seen since the last;   wid  1 while the limit in force is a widening not yet taken
//   — the fleet's health (control/health.ts, shared): set while the API is down —
//   hdown        when the fleet found the API down;   hexp  when that state lapses unless a probe renews it
//   hnext        when the next probe may go;   hint  the interval it was set with;   hok  probes that succeeded in a row
//   hprobe, hpuntil  the probe in flight (its grant entry, or a check's token) and its lease's end
//   hprobes      probes sent;   hpn  the counter of probe tokens handed to checks (`quota: false`)
//
// `axios-steady:{<id>}:unanswered` — a sorted set of the dispatches not yet answered: member `n:expiresAt:e`,
//   scored by when it expires (the job's expiration: a crashed process' entries lapse by themselves).
//
// `axios-steady:{<id>}:waiting` — a sorted set: the processes refused for want of room, by arrival (member: the
//   process' id). Each is woken by a PUBLISH on `axios-steady:{<id>}:waiting:<pid>` (its own channel); every
//   process also listens on `axios-steady:{<id>}:waiting`, told 'w' when the ledger was lost with its list.
//
// `axios-steady:{<id>}:wanted` — a hash: `d:<pid>` how many requests a listed process waits with; `w:<pid>` set
//   when it was woken (it may then take before those still listed), deleted by its next ask.

/** The four keys of a limiter's fleet ledger. */
export function ledgerKeys(id: string): readonly [fleet: string, unanswered: string, waiting: string, wanted: string] {
  const tag = `axios-steady:{${id}}`;
  return [`${tag}:fleet`, `${tag}:unanswered`, `${tag}:waiting`, `${tag}:wanted`];
}
