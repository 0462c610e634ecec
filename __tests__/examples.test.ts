// The Node examples are documentation: they must keep running (each exits 0 only when it worked).
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..');

it.each(['github-link', 'cursor', 'shared-limiter', 'resume-checkpoint'])('examples/%s.ts runs', (name) => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', `examples/${name}.ts`], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  expect(out.length).toBeGreaterThan(0);
});
