/// <reference types="node" />
// `axios-steady demo`: the collect command against an embedded API on 127.0.0.1 that is paginated, rate limited
// (50 requests a second, announced in RateLimit headers) and flaky (8 % 503s, 2 % connection resets). It exits
// 0 only if every item arrived exactly once, in order. `--serve` only runs the API, to try `collect` on it.
import type { DemoCommand } from './args.js';
import { EXIT, runCollect, type Io } from './collect-command.js';
import { fileOutput, functionOutput } from './output.js';
import { startSimApi, type SimOptions } from '../sim-api/index.js';

const ITEMS = 3000;
const DEMO_API: SimOptions = {
  items: ITEMS,
  pageSize: 25,
  latencyMs: 15,
  quota: { limit: 50, windowMs: 1000, headers: 'draft7' },
  faults: { seed: 42, error503: 0.08, reset: 0.02 },
};

export async function runDemo(d: DemoCommand, io: Io): Promise<number> {
  const sim = await startSimApi({ ...DEMO_API, port: d.port });
  try {
    if (d.serve) {
      io.stderr.write(
        `axios-steady: a flaky, rate-limited API with ${ITEMS} items on ${sim.url} (paths /page /offset /cursor /next /link)\n` +
          `  try: npx axios-steady collect ${sim.url}/page --out items.jsonl\n  Ctrl-C stops it.\n`,
      );
      await new Promise<void>((resolve) => io.signal.addEventListener('abort', () => resolve(), { once: true }));
      return EXIT.complete;
    }
    // Without --out, the items are checked here instead of printed: 3,000 lines on a terminal help nobody.
    let expected = 0;
    let inOrder = true;
    const output = d.out
      ? fileOutput(d.out)
      : functionOutput((items) => {
          for (const item of items) if ((item as { id?: unknown }).id !== expected++) inOrder = false;
        });
    const command = {
      command: 'collect',
      url: new URL(`${sim.url}/page`),
      strategy: 'auto',
      headers: {},
      concurrency: 4,
      timeout: 10_000,
      patience: 10 * 60_000,
      restart: true,
      full: true,
      quiet: d.quiet,
      ...(d.out && { out: d.out }),
    } as const;
    const code = await runCollect(command, io, output);
    if (code !== EXIT.complete || d.out) return code;
    const complete = inOrder && expected === ITEMS;
    if (!d.quiet || !complete)
      io.stderr.write(`axios-steady: ${expected} of ${ITEMS} items, ${complete ? 'each once, in order' : 'INCOMPLETE'}\n`);
    return complete ? EXIT.complete : EXIT.failed;
  } finally {
    await sim.close();
  }
}
