// The build's template minifier: indentation goes, typed spaces stay.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are source code the minifier reads
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { minifyTemplates } from '../build/minify.js';

test('a space typed at the start of a template is text and stays ("2026 · Service period", "/ month (5 × $8.00)")', () => {
  const code = 'html`<p>${a}${b ? html` · ${c}` : nothing}${d ? html` <span>(${e})</span>` : nothing}</p>`';
  assert.equal(minifyTemplates(code), code);
});

test('the source’s indentation at a template’s ends goes, inside it becomes one space', () => {
  const code = 'html`\n    <div>\n      <p>${a}</p>\n    </div>\n  `';
  assert.equal(minifyTemplates(code), 'html`<div> <p>${a}</p> </div>`');
});
