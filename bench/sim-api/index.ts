import { fork } from 'node:child_process';
import type { SimOptions, SimStats } from '../../test/servers/sim-api.js';

/** The simulated API in a child process. */
export interface SimProcess {
  readonly url: string;
  stats(): Promise<Omit<SimStats, 'arrivals'>>;
  close(): void;
}

export async function startSimProcess(options: SimOptions): Promise<SimProcess> {
  const child = fork(new URL('./child.ts', import.meta.url), [JSON.stringify(options)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`sim-api exited with ${code}`)));
  });
  return {
    url,
    stats: () =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve((m as { stats: SimStats }).stats));
        child.send('stats');
      }),
    close: () => child.disconnect(),
  };
}
