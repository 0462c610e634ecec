// The Node examples are documentation: they must keep running (each exits 0 only when it worked).
// examples/fleet starts its own redis-server (installed by .ci/run).
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..');

it.each(['github-link', 'cursor', 'shared-limiter', 'resume-checkpoint', 'fleet/index'])('examples/%s.ts runs', (name) => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', `examples/${name}.ts`], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  expect(out.length).toBeGreaterThan(0);
});
