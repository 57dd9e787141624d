#!/usr/bin/env node
// Checks the widget's translations (src/i18n/xliff/<locale>.xlf): every message has a
// <target>, and each target keeps exactly the placeholders (<x id="…"/>) of its source.
// Usage: node scripts/check-xliff.mjs [locale…]   (no locale: all of them). Exit 1 on problems.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(import.meta.dirname, '..', 'src', 'i18n', 'xliff');
const wanted = process.argv.slice(2);
const files = readdirSync(dir).filter((f) => f.endsWith('.xlf') && (!wanted.length || wanted.includes(f.slice(0, -4))));
const placeholders = (text) =>
  [...text.matchAll(/<x id="(\d+)"/g)]
    .map((m) => m[1])
    .sort()
    .join(',');
let problems = 0;
for (const file of files) {
  const xml = readFileSync(join(dir, file), 'utf8');
  let units = 0;
  let missing = 0;
  for (const [, id, body] of xml.matchAll(/<trans-unit id="([^"]+)">([\s\S]*?)<\/trans-unit>/g)) {
    units++;
    const source = /<source>([\s\S]*?)<\/source>/.exec(body)?.[1] ?? '';
    const target = /<target>([\s\S]*?)<\/target>/.exec(body)?.[1];
    if (target === undefined || target.trim() === '') {
      missing++;
      continue;
    }
    if (placeholders(source) !== placeholders(target)) {
      problems++;
      console.log(`${file} ${id}: placeholders differ\n  source: ${source}\n  target: ${target}`);
    }
    if (/<(?!x id="\d+" equiv-text="[^"]*"\/>)/.test(target.replace(/<x id="\d+" equiv-text="[^"]*"\/>/g, ''))) {
      problems++;
      console.log(`${file} ${id}: stray markup in target: ${target}`);
    }
  }
  if (missing) {
    problems++;
    console.log(`${file}: ${missing} of ${units} messages have no translation`);
  } else console.log(`${file}: ${units} messages, all translated`);
}
process.exit(problems ? 1 : 0);
