#!/usr/bin/env node
// Builds the widget's translation modules (src/i18n/generated/<locale>.ts) from the XLIFF
// files (src/i18n/xliff/): `lit-localize build`, then each module's imports of lit and
// @lit/localize are replaced by two one-line tags producing the same values. A locale
// chunk that imports lit makes the bundler move lit (and what the entry shares with the
// views) out of the entry into common chunks: one more request before anything renders,
// and the size budget broken. The values are what msg() reads at runtime: a str template is
// {strTag, strings, values}; an html one is a lit TemplateResult ({_$litType$: 1, …}), and
// the tag keeps `strings` a real template strings array, which lit insists on.
//
// The message ids (a letter and 16 hex digits, hashes gzip cannot share: a third of each
// chunk) are shortened to the fewest leading characters that still tell every message
// apart, and `templates` looks a full id up by that prefix (a Proxy). That keeps each
// language within its 12 KB budget (docs/decisions.md). Every id the widget asks for is in
// every catalog (the XLIFF check fails on a missing translation), so a prefix never stands
// for another message.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const dir = join(root, 'src', 'i18n', 'generated');
execFileSync(join(root, 'node_modules', '.bin', 'lit-localize'), ['build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });

const tags = [
  "// Same values as lit's html and @lit/localize's str, without importing them (scripts/build-locales.mjs).",
  'const html = (strings: TemplateStringsArray, ...values: number[]) => ({ _$litType$: 1 as const, strings, values });',
  'const str = (strings: TemplateStringsArray, ...values: number[]) => ({ strTag: true as const, strings, values });',
].join('\n');
const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'locale-codes.ts');
const ID = /^'([sh][0-9a-f]{16})':/gm;
const ids = new Set(files.flatMap((file) => [...readFileSync(join(dir, file), 'utf8').matchAll(ID)].map((m) => m[1])));
let length = 4;
while (new Set([...ids].map((id) => id.slice(0, length))).size < ids.size) length += 1;
const lookup = [
  `// Keyed by the first ${length} characters of each message id (scripts/build-locales.mjs).`,
  `export const templates = new Proxy(messages, { get: (table, id) => (typeof id === 'string' ? table[id.slice(0, ${length}) as keyof typeof table] : undefined) });`,
].join('\n');
for (const file of files) {
  const path = join(dir, file);
  let text = readFileSync(path, 'utf8')
    .replace(/^\s*import \{html\} from 'lit';\n/m, '')
    .replace(/^\s*import \{str\} from '@lit\/localize';\n/m, `${tags}\n`);
  if (/^\s*import /m.test(text)) throw new Error(`${file} still imports something: update scripts/build-locales.mjs`);
  if (!/^\s*export const templates = \{$/m.test(text)) throw new Error(`${file}: no templates object: update scripts/build-locales.mjs`);
  text = text.replace(/^\s*export const templates = \{$/m, 'const messages = {').replace(ID, (_, id) => `'${id.slice(0, length)}':`);
  writeFileSync(path, `${text.trimEnd()}\n${lookup}\n`);
}
