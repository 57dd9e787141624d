// Size budgets from docs/architecture.md, measured on the built widget (`vite build` runs first in npm test).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

const dist = join(process.cwd(), 'dist');
const KB = 1024;

function jsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? jsFiles(path) : path.endsWith('.js') ? [path] : [];
  });
}
const gzipSize = (path: string) => gzipSync(readFileSync(path), { level: 9 }).length;
/** A language's translations (chunks/locale-<code>-<hash>.js): data, loaded only for a customer reading it. */
const isLocale = (f: string) => /[\\/]locale-[\w-]+-[\w-]{8}\.js$/.test(f);
/**
 * What a script-tag page loads: not the hosted card form (its own page), the Node merchant kit
 * (dist/sdk), the React wrappers (dist/react.js, bundled by the merchant's own build) nor the
 * React demo app (dist/demo).
 */
const widgetFiles = () => jsFiles(dist).filter((f) => !['hosted', 'sdk', 'demo', 'react.js'].some((part) => f.startsWith(join(dist, part))));
/** The widget's code: every file but the translations. */
const codeFiles = () => widgetFiles().filter((f) => !isLocale(f));

test('the entry that registers the elements is at most 20 KB gzip, lit included', () => {
  const size = gzipSize(join(dist, 'customer-portal.js'));
  console.log(`entry customer-portal.js: ${(size / KB).toFixed(1)} KB gzip`);
  assert.ok(size <= 20 * KB, `entry is ${(size / KB).toFixed(1)} KB gzip`);
});

// docs/architecture.md (budgets): "all widget code ≤ 75 KB" gzip, every chunk but the languages.
test('the entry and every view together are at most 75 KB gzip', () => {
  const files = codeFiles();
  let total = 0;
  for (const file of files) {
    const size = gzipSize(file);
    total += size;
    console.log(`  ${file.slice(dist.length + 1)}: ${(size / KB).toFixed(1)} KB gzip`);
  }
  console.log(`all widget code: ${(total / KB).toFixed(1)} KB gzip`);
  assert.ok(total <= 75 * KB, `all widget code is ${(total / KB).toFixed(1)} KB gzip`);
});

interface ManifestChunk {
  file: string;
  src?: string;
  imports?: string[];
  dynamicImports?: string[];
}
/** The widget build's chunk graph (vite's build manifest): source or chunk key → chunk. */
const manifest = () => JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
/** `key` and every chunk it imports statically, recursively: what loads before it runs. */
function staticClosure(chunks: Record<string, ManifestChunk>, key: string, seen = new Set<string>()): Set<string> {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const next of chunks[key]?.imports ?? []) staticClosure(chunks, next, seen);
  return seen;
}

test('the entry imports no other chunk: lit and the UI primitives arrive with it, in one request', () => {
  // Rolldown moves what the entry shares with lazily loaded chunks into a common chunk in some
  // chunk graphs (docs/decisions.md, "One chunk per view"): a second request before
  // anything renders.
  assert.deepEqual(manifest()['src/index.ts']?.imports ?? [], []);
});

test('what a page with one view loads: the entry and that view with everything it imports, at most 35 KB gzip', () => {
  const chunks = manifest();
  // Every element a page can hold (src/views/registry.ts `elements`, the sign-in with them), each
  // a chunk the entry loads on demand; not the languages, nor the action flows (loaded on a click).
  const lazy = (chunks['src/index.ts']?.dynamicImports ?? []).filter(
    (key) => /[\\/](views[\\/][\w-]+[\\/][\w-]+|portal[\\/]sign-in)\.ts$/.test(key) && !/-flow\.ts$/.test(key),
  );
  assert.ok(lazy.length >= 11, lazy.join(', '));
  const seen = new Set<string>();
  for (const key of lazy) {
    const files = [...staticClosure(chunks, key, staticClosure(chunks, 'src/index.ts'))].map((k) => chunks[k]!.file);
    const size = files.reduce((total, file) => total + gzipSize(join(dist, file)), 0);
    console.log(`  ${key}: ${(size / KB).toFixed(1)} KB gzip with the entry and its imports, in ${files.length} files`);
    assert.ok(size <= 35 * KB, `${key}: ${(size / KB).toFixed(1)} KB gzip`);
    assert.ok(!seen.has(chunks[key]!.file), `${key} shares its chunk with another view`);
    seen.add(chunks[key]!.file);
  }
});

// Message ids shortened to a unique prefix (scripts/build-locales.mjs) keep the largest near 9 KB (docs/decisions.md).
test('each language loads on demand, in a chunk of its own of at most 12 KB gzip', () => {
  const entry = readFileSync(join(dist, 'customer-portal.js'), 'utf8');
  const chunks = widgetFiles().filter(isLocale);
  // Every language but English (the source, built in).
  assert.equal(chunks.length, 21, chunks.join(', '));
  let largest = 0;
  for (const file of chunks) {
    const name = /locale-([\w-]+)-[\w-]{8}\.js$/.exec(file)![1]!;
    assert.ok(entry.includes(`import(\`./chunks/locale-${name}-`), `the entry does not load ${name} on demand`);
    largest = Math.max(largest, gzipSize(file));
  }
  assert.ok(!/^import[^;]*locale-/m.test(entry), 'the entry imports a language statically');
  const code = codeFiles().reduce((total, file) => total + gzipSize(file), 0);
  console.log(
    `largest language: ${(largest / KB).toFixed(1)} KB gzip; everything a page in that language loads: ${((code + largest) / KB).toFixed(1)} KB gzip`,
  );
  assert.ok(largest <= 12 * KB, `a language is ${(largest / KB).toFixed(1)} KB gzip`);
});

test("the merchant page's bundle contains no Stripe code", () => {
  for (const file of widgetFiles()) {
    const text = readFileSync(file, 'utf8');
    assert.ok(!/js\.stripe\.com|loadStripe|@stripe\//.test(text), `${file} contains Stripe code`);
  }
});

test('the hosted card form is its own bundle, with Stripe only there', () => {
  const files = jsFiles(join(dist, 'hosted'));
  let total = 0;
  let largestLanguage = 0;
  for (const file of files) {
    if (isLocale(file)) largestLanguage = Math.max(largestLanguage, gzipSize(file));
    else total += gzipSize(file);
  }
  console.log(`hosted page: ${(total / KB).toFixed(1)} KB gzip of code, plus at most ${(largestLanguage / KB).toFixed(1)} KB for its language`);
  assert.equal(files.filter(isLocale).length, 21, 'the hosted form loads each language on demand');
  assert.ok(
    files.some((f) => f.endsWith(join('hosted', 'payment-method.js'))),
    'dist/hosted/payment-method.js is missing',
  );
  assert.ok(
    files.some((f) => /loadStripe|js\.stripe\.com/.test(readFileSync(f, 'utf8'))),
    'the hosted page has no Stripe loader',
  );
});

test('the React components are a thin layer: React and the widget are imported, not bundled', () => {
  const file = join(dist, 'react.js');
  const text = readFileSync(file, 'utf8');
  const size = gzipSize(file);
  console.log(`react.js: ${(size / KB).toFixed(1)} KB gzip (plus React, @lit/react and customer-portal.js)`);
  for (const specifier of ['react', '@lit/react', './customer-portal.js']) {
    assert.match(text, new RegExp(`from\\s*"${specifier.replace(/[./]/g, '\\$&')}"`), `react.js does not import ${specifier}`);
  }
  assert.ok(!/customElements\.define|import\(/.test(text), 'react.js carries widget code: it must import ./customer-portal.js instead');
  assert.ok(size <= 2 * KB, `react.js is ${(size / KB).toFixed(1)} KB gzip`);
});
