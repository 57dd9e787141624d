// `npm test`: every check in order, then one line "N passed, N failed".
//   1. format + lint (Biome), type-check   2. build the widget and its custom elements manifest   3. server tests
//   on PGlite   4. the same on a real Postgres (a throwaway cluster unless TEST_DATABASE_URL
//   is set)   5. browser tests in Chromium   6. end-to-end, manifest, React, size and package tests.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres } from './postgres.mjs';

const results = join(process.cwd(), '.test-results');
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

let passed = 0;
let failed = 0;
const failures = [];

function walk(dir, match) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    return statSync(path).isDirectory() ? walk(path, match) : match(path) ? [path] : [];
  });
}

function step(title) {
  console.log(`\n━━ ${title}`);
}

/** A step that is one check: passes or fails as a whole. */
function check(title, cmd, args, env = {}) {
  step(title);
  const res = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (res.status === 0) passed += 1;
  else {
    failed += 1;
    failures.push(title);
  }
  return res.status === 0;
}

/** Runs node:test files; counts each test from the TAP summary. */
function nodeTests(title, files, env = {}) {
  step(title);
  if (files.length === 0) return;
  const tap = join(results, `${title.replace(/\W+/g, '-')}.tap`);
  const res = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-concurrency=2',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...files,
    ],
    { stdio: 'inherit', env: { ...process.env, ...env } },
  );
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const pass = Number([...text.matchAll(/^# pass (\d+)$/gm)].at(-1)?.[1] ?? 0);
  const fail = Number([...text.matchAll(/^# fail (\d+)$/gm)].at(-1)?.[1] ?? 0);
  passed += pass;
  failed += fail;
  if (fail > 0 || (res.status !== 0 && fail === 0)) {
    if (fail === 0) failed += 1;
    failures.push(title);
  }
}

const serverTests = walk('server', (p) => p.endsWith('.test.ts'));

// The translations: every message translated with its placeholders, and the locale modules
// rebuilt from them (so a test never runs against stale ones).
check('translations', process.execPath, ['scripts/check-xliff.mjs']) && check('build the locale modules', process.execPath, ['scripts/build-locales.mjs']);
check('format and lint (Biome; `npx biome check --write .` fixes the format)', 'npx', ['biome', 'check', '--error-on-warnings', '.']);
check('type-check', 'npx', ['tsc', '--noEmit']);
// The widget and the hosted page (vite), then the custom elements manifest the tests in test/ read.
const built =
  check('build the widget', 'npx', ['vite', 'build', '--logLevel', 'warn']) && check('custom elements manifest', 'npm', ['run', '--silent', 'analyze']);

nodeTests('server tests on PGlite', serverTests, { TEST_DATABASE_URL: '' });

let postgres;
try {
  let url = process.env.TEST_DATABASE_URL;
  if (!url) {
    postgres = await startPostgres();
    url = postgres.url;
  }
  nodeTests('server tests on Postgres', serverTests, { TEST_DATABASE_URL: url });
} catch (error) {
  step('server tests on Postgres');
  console.error(String(error.message ?? error));
  failed += 1;
  failures.push('server tests on Postgres (could not start Postgres)');
} finally {
  postgres?.stop();
}

step('browser tests');
const wtrResults = join(results, 'browser.json');
const wtr = spawnSync('npx', ['web-test-runner'], { stdio: 'inherit', env: { ...process.env, WTR_RESULTS_FILE: wtrResults } });
if (existsSync(wtrResults)) {
  const counts = JSON.parse(readFileSync(wtrResults, 'utf8'));
  passed += counts.passed;
  failed += counts.failed;
  if (counts.failed > 0 || wtr.status !== 0) failures.push('browser tests');
  if (counts.failed === 0 && wtr.status !== 0) failed += 1;
} else {
  failed += 1;
  failures.push('browser tests (no results)');
}

if (built)
  nodeTests(
    'end-to-end and size tests',
    walk('test', (p) => p.endsWith('.test.ts')),
    { TEST_DATABASE_URL: '' },
  );
else {
  failed += 1;
  failures.push('end-to-end and size tests (build failed)');
}

if (failures.length) console.log(`\nFailed: ${failures.join('; ')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
