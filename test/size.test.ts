// Size budgets from DESIGN.md, measured on the built widget (`vite build` runs first in npm test).
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

test('the entry that registers the elements is at most 20 KB gzip, lit included', () => {
  const size = gzipSize(join(dist, 'customer-portal.js'));
  console.log(`entry customer-portal.js: ${(size / KB).toFixed(1)} KB gzip`);
  assert.ok(size <= 20 * KB, `entry is ${(size / KB).toFixed(1)} KB gzip`);
});

test('the entry and every view together are at most 60 KB gzip', () => {
  const files = jsFiles(dist).filter((f) => !f.includes(`${join(dist, 'hosted')}`));
  let total = 0;
  for (const file of files) {
    const size = gzipSize(file);
    total += size;
    console.log(`  ${file.slice(dist.length + 1)}: ${(size / KB).toFixed(1)} KB gzip`);
  }
  console.log(`all widget code: ${(total / KB).toFixed(1)} KB gzip`);
  assert.ok(total <= 60 * KB, `all views are ${(total / KB).toFixed(1)} KB gzip`);
});

test("the merchant page's bundle contains no Stripe code", () => {
  for (const file of jsFiles(dist).filter((f) => !f.includes(`${join(dist, 'hosted')}`))) {
    const text = readFileSync(file, 'utf8');
    assert.ok(!/js\.stripe\.com|loadStripe|@stripe\//.test(text), `${file} contains Stripe code`);
  }
});
