// The house's own rules, checked as rules: the lint that keeps lower floors from importing higher ones (and
// pagination to its one door into the request layer) fails on an import that climbs; the fleet's Lua module is
// what scripts/lua.mjs makes of the .lua files; every Redis field a script touches is documented in fleet/keys.ts.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
const eslint = path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js');

/** ESLint's findings for `source` as if it were the file `file`. */
function lint(file: string, source: string): string {
  const result = spawnSync(process.execPath, [eslint, '--stdin', '--stdin-filename', file, '--format', 'json'], {
    cwd: root,
    input: source,
    encoding: 'utf8',
  });
  return result.stdout;
}

jest.setTimeout(60_000);

it.each<[string, string, RegExp | null]>([
  ['src/limit/probe.ts', "import { attach } from '../attach.js'; export const x = attach;", /floor 1 .* may not import a floor above it/],
  ['src/quota/probe.ts', "import { Lane } from '../limit/lane.js'; export const x = Lane;", /retry\/, limit\/ and quota\/ are independent/],
  ['src/control/probe.ts', "import { History } from '../request/history.js'; export const x = History;", /floor 3/],
  ['src/errors.ts', "import { sleep } from './util/sleep.js'; export const x = sleep;", null],
  ['src/util/probe.ts', "import { PaginationError } from '../errors.js'; export const x = PaginationError;", null],
  [
    'src/paginate/probe.ts',
    "import { History } from '../request/history.js'; export const x = History;",
    /only through request\/for-pagination.ts/,
  ],
  ['src/paginate/probe.ts', "import { pageInfo } from '../request/for-pagination.js'; export const x = pageInfo;", null],
  [
    'src/paginate/probe.ts',
    "import { QuotaTracker } from '../quota/tracker.js'; export const x = QuotaTracker;",
    /works on any axios instance/,
  ],
  ['src/request/probe.ts', "import { collect } from '../paginate/paginate.js'; export const x = collect;", /floor 4/],
  ['src/sim-api/probe.ts', "import { attach } from '../attach.js'; export const x = attach;", /stands alone/],
  ['src/cli/probe.ts', "import { attach } from '../attach.js'; export const x = attach;", null],
])('%s: %s', (file, source, refused) => {
  const found = lint(file, source);
  if (refused) expect(found).toMatch(refused);
  else expect(found).not.toMatch(/no-restricted-paths/);
});

it('the generated Lua module is what scripts/lua.mjs makes of src/fleet/lua/*.lua (run `npm run build` after editing them)', () => {
  const fresh = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', "import { generate } from './scripts/lua.mjs'; process.stdout.write(generate());"],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  expect(readFileSync(path.join(root, 'src', 'fleet', 'scripts.generated.ts'), 'utf8')).toBe(fresh);
});

it('every field of the fleet hash a script touches is documented in fleet/keys.ts, once', () => {
  const dir = path.join(root, 'src', 'fleet', 'lua');
  const lua = readdirSync(dir)
    .map((name) => readFileSync(path.join(dir, name), 'utf8'))
    .join('\n');
  const fields = new Set<string>();
  // A call's arguments may hold calls two deep (`(tonumber(L[11]) or 0) + ended`): the alternatives start apart, so
  // the match is linear.
  const calls = /redis\.call\('(HMGET|HGET|HSET|HDEL|HINCRBY)', KEYS\[1\], ((?:[^()]|\((?:[^()]|\([^()]*\))*\))*)\)/g;
  for (const call of lua.matchAll(calls)) for (const [, name] of call[2].matchAll(/'([a-zA-Z]+)'/g)) fields.add(name);
  // A field is documented when it is a word of the comment: a token between spaces and commas on a `//` line.
  // (A regex with nested quantifiers did this before: on a field missing from the doc it backtracked for good.)
  const words = new Set(
    readFileSync(path.join(root, 'src', 'fleet', 'keys.ts'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('//'))
      .flatMap((line) => line.slice(2).split(/[\s,]+/)),
  );
  expect([...fields].filter((field) => !words.has(field))).toEqual([]);
  expect(fields.size).toBeGreaterThan(15);
});
