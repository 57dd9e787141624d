// Build-time minification of the widget's tagged templates, which the JS minifier leaves alone.
import type { Plugin } from 'vite';

/** CSS: comments gone, whitespace around punctuation gone. */
function minifyCss(body: string): string {
  return body
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([{};,>])\s*/g, '$1')
    .replace(/:\s+/g, ':')
    .replace(/;}/g, '}')
    .trim();
}

/**
 * HTML and SVG: comments go, a run of whitespace that holds a line break (the source's indentation)
 * becomes one space, which renders the same (no template uses `white-space: pre`), and none
 * at all between a tag's end and the template's end or start.
 */
function minifyMarkup(text: string, first: boolean, last: boolean): string {
  let out = text.replace(/<!--[\s\S]*?-->/g, '').replace(/[ \t]*\n\s*/g, ' ');
  // Only the source's indentation goes at the ends: a space typed there (html` · ${…}`, a
  // separator after an expression) is text ("Dec 1, 2026 · Service period", "/ month (5 × …)").
  if (first && /^[ \t]*\n/.test(text)) out = out.replace(/^ /, '');
  if (last && /\n\s*$/.test(text)) out = out.replace(/ $/, '');
  return out.replace(/ (\/?>)/g, '$1');
}

/**
 * Walks a module's source, finds `html`, `svg` and `css` tagged templates (also nested in
 * `${}`) and minifies their static text. Expressions are copied as they are; strings,
 * comments and untagged templates inside them are skipped over so their backticks and
 * braces do not confuse the walk.
 */
export function minifyTemplates(code: string): string {
  let i = 0;
  let out = '';

  function template(tag: string): string {
    // i is just past the opening backtick.
    const parts: string[] = [];
    const exprs: string[] = [];
    let text = '';
    while (i < code.length) {
      const c = code[i]!;
      if (c === '\\') {
        text += code.slice(i, i + 2);
        i += 2;
      } else if (c === '`') {
        i += 1;
        parts.push(text);
        break;
      } else if (c === '$' && code[i + 1] === '{') {
        i += 2;
        parts.push(text);
        text = '';
        exprs.push(expression());
      } else {
        text += c;
        i += 1;
      }
    }
    const minified = parts.map((part, n) => {
      if (tag === 'css') return exprs.length ? part : minifyCss(part);
      if (tag === 'html' || tag === 'svg') return minifyMarkup(part, n === 0, n === parts.length - 1);
      return part;
    });
    return `\`${minified.map((part, n) => (n < exprs.length ? `${part}\${${exprs[n]}}` : part)).join('')}\``;
  }

  function expression(): string {
    // i is just past `${`; returns the expression's source and leaves i past its `}`.
    let depth = 0;
    let src = '';
    while (i < code.length) {
      const c = code[i]!;
      if (c === '}' && depth === 0) {
        i += 1;
        return src;
      }
      src += token(() => {
        if (c === '{') depth += 1;
        if (c === '}') depth -= 1;
      });
    }
    return src;
  }

  /** One token of code at i: a string, comment, template or single character. */
  function token(onChar: () => void): string {
    const c = code[i]!;
    if (c === "'" || c === '"') {
      const start = i;
      i += 1;
      while (i < code.length && code[i] !== c) i += code[i] === '\\' ? 2 : 1;
      i += 1;
      return code.slice(start, i);
    }
    if (c === '/' && code[i + 1] === '/') {
      const end = code.indexOf('\n', i);
      const start = i;
      i = end === -1 ? code.length : end;
      return code.slice(start, i);
    }
    if (c === '/' && code[i + 1] === '*') {
      const end = code.indexOf('*/', i + 2);
      const start = i;
      i = end === -1 ? code.length : end + 2;
      return code.slice(start, i);
    }
    if (c === '`') {
      const tag = /\b(html|svg|css)\s*$/.exec(code.slice(Math.max(0, i - 8), i))?.[1] ?? '';
      i += 1;
      return template(tag);
    }
    onChar();
    i += 1;
    return c;
  }

  while (i < code.length) out += token(() => undefined);
  return out;
}

/** The plugin: only our own modules in src/ (a library's templates stay as they are). */
export function minifyTemplateLiterals(): Plugin {
  return {
    name: 'customer-portal:minify-template-literals',
    transform(code, id) {
      if (!/\/src\/.*\.ts$/.test(id)) return undefined;
      return { code: minifyTemplates(code), map: null };
    },
  };
}
