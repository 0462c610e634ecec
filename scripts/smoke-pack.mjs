// Packs the library and uses the tarball the way users will: require(), import, and strict TypeScript
// under moduleResolution nodenext and bundler. Fails loudly on the first thing that does not work.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = process.cwd();
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'axios-steady-smoke-'));
try {
  const tarball = resolve(dir, JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir], root))[0].filename);
  const axiosVersion = JSON.parse(run('node', ['-p', 'JSON.stringify(require("axios/package.json").version)'], root));
  writeFileSync(join(dir, 'package.json'), '{ "name": "smoke", "private": true }\n');
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, `axios@${axiosVersion}`], dir);

  const check = "if (typeof s.attach !== 'function' || typeof s.backoffDelay !== 'function') throw new Error('exports missing');";
  run('node', ['-e', `const s = require('axios-steady'); ${check} console.log('require ok')`], dir);
  run('node', ['--input-type=module', '-e', `import * as s from 'axios-steady'; ${check} console.log('import ok')`], dir);
  // The bin, as `npx axios-steady` finds it in a project that installed the tarball.
  const version = run('npx', ['--no-install', 'axios-steady', '--version'], dir).trim();
  if (version !== JSON.parse(run('node', ['-p', 'JSON.stringify(require("./package.json").version)'], root)))
    throw new Error(`npx axios-steady --version printed "${version}"`);
  // A whole collection from the tarball: its runtime dependencies (cli-progress among them) are declared.
  run('npx', ['--no-install', 'axios-steady', 'demo', '--quiet'], dir);
  console.log(`npx axios-steady ok (${version}; demo complete)`);

  writeFileSync(
    join(dir, 'use.ts'),
    [
      "import axios from 'axios';",
      "import { attach, steadyInfo, type SteadyInfo } from 'axios-steady';",
      'const api = axios.create();',
      'const steady = attach(api, { retry: { retries: 2 }, limiter: { maxConcurrent: 2 } });',
      "void api.get('/x', { steady: { retry: false } }).then((r) => steadyInfo(r) satisfies SteadyInfo | undefined);",
      '// @ts-expect-error typo in a per-request option',
      "void api.get('/x', { steady: { retyr: false } });",
      'steady.detach();',
      '',
    ].join('\n'),
  );
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  // A user's plain `tsc --strict` at TypeScript's default target (ES5) and module, then the two modern
  // resolutions. No skipLibCheck anywhere: our .d.ts files must compile as they are. The lib must have
  // ES2018 (AsyncGenerator; axios' own types need ES2015 iterables), which the README states.
  for (const [name, flags] of [
    ['default target', ['--lib', 'es2018,dom']],
    ['nodenext', ['--module', 'nodenext', '--moduleResolution', 'nodenext']],
    ['bundler', ['--module', 'esnext', '--moduleResolution', 'bundler', '--target', 'es2022']],
  ]) {
    run('node', [tsc, '--noEmit', '--strict', '--skipLibCheck', 'false', ...flags, 'use.ts'], dir);
    console.log(`tsc ${name} ok`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
