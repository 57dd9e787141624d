// What `npm pack` publishes (package.json "files"): what a merchant runs — the built widget,
// hosted page, React components, SDK and types, the server's sources (run by bin/ through tsx)
// with every file they import, its migrations and PDF fonts, the demo — and nothing of the
// tests: no test files, harnesses or fakes, no test/, no XLIFF sources. Run after the build
// (npm test builds first), since dist/ is part of the package.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, posix } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

interface Pack {
  size: number;
  unpackedSize: number;
  files: Array<{ path: string }>;
}

const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8' })) as Pack[];
const packed = new Set(pack!.files.map((f) => f.path));
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  bin: Record<string, string>;
  files: string[];
  exports: Record<string, string | Record<string, string>>;
};

console.log(
  `npm pack: ${pack!.files.length} files, ${(pack!.size / 1024 / 1024).toFixed(2)} MB packed, ${(pack!.unpackedSize / 1024 / 1024).toFixed(2)} MB unpacked`,
);

const missing = (paths: string[]) => paths.filter((p) => !packed.has(p));
const filesIn = (dir: string, match: RegExp = /./) =>
  readdirSync(dir)
    .filter((name) => match.test(name))
    .map((name) => posix.join(dir, name));

/** The modules `file` loads at run time (type-only imports left out), as repository paths. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const specifiers: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier)) specifiers.push(node.moduleSpecifier.text);
    else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier))
      specifiers.push(node.moduleSpecifier.text);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      specifiers.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers
    .filter((s) => s.startsWith('.'))
    .map((s) => {
      const path = posix.normalize(posix.join(dirname(file), s));
      return [path, path.replace(/\.js$/, '.ts'), path.replace(/\.js$/, '.tsx')].find((p) => existsSync(p)) ?? path;
    });
}

/** Every module reachable from `entries` through run-time imports. */
function moduleGraph(entries: string[]): string[] {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (/\.(ts|tsx|mjs|js)$/.test(file) && existsSync(file)) queue.push(...runtimeImports(file));
  }
  return [...seen].sort();
}

test('the package carries no tests, test harness, fakes, fixtures or XLIFF sources', () => {
  const kinds: Array<[string, (p: string) => boolean]> = [
    ['test files', (p) => /\.test\.tsx?$/.test(p)],
    ['test harnesses', (p) => /\.harness\.ts$/.test(p)],
    ['the server test harness and fake Stripe (server/testing/)', (p) => p.startsWith('server/testing/')],
    ['the browser test helpers (src/testing/)', (p) => p.startsWith('src/testing/')],
    ['test/ (end-to-end tests, msw handlers and worker)', (p) => p.startsWith('test/')],
    ['XLIFF sources (src/i18n/xliff/)', (p) => p.startsWith('src/i18n/xliff/') || p.endsWith('.xlf')],
    ['build configuration (build/)', (p) => p.startsWith('build/')],
  ];
  for (const [what, is] of kinds) assert.deepEqual([...packed].filter(is), [], `the package carries ${what}`);
});

test('the package carries the built widget, hosted page, React components, SDK, types and manifest', () => {
  const entries = Object.values(pkg.exports)
    .flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)))
    .map((p) => p.replace(/^\.\//, ''));
  // `npm test` builds with vite only; the SDK and the types (tsc in `npm run build`) may be
  // absent, but are in a folder the package carries.
  const unbuilt = entries.filter((p) => !existsSync(p));
  assert.deepEqual(
    unbuilt.filter((p) => !/^dist\/(sdk|types)\//.test(p) || !pkg.files.includes('dist')),
    [],
    'exports that neither exist nor are built into dist/ by `npm run build`',
  );
  const built = [
    ...entries.filter((p) => existsSync(p)),
    'dist/custom-elements.json',
    'dist/hosted/payment-method.js',
    ...filesIn('dist/chunks').filter((p) => p.endsWith('.js')),
    ...filesIn('dist/hosted/chunks').filter((p) => p.endsWith('.js')),
  ];
  assert.ok(built.includes('dist/customer-portal.js'));
  assert.deepEqual(missing(built), []);
});

test('the package carries the server: bin/, every module it runs, the migrations, the PDF fonts and the demo', () => {
  const bins = Object.values(pkg.bin);
  assert.deepEqual(missing(bins), []);
  // bin/ loads server/cli.ts, which loads server/main.ts: every module either reaches, src/ included.
  const modules = moduleGraph([...bins, 'server/main.ts', 'server/sdk/index.ts']);
  assert.ok(modules.includes('server/main.ts') && modules.includes('server/app.ts'), modules.join(', '));
  assert.ok(
    modules.some((p) => p.startsWith('src/schemas/')),
    'the server imports the contract from src/schemas/',
  );
  assert.deepEqual(missing(modules), [], 'modules the server imports are not in the package');
  // Read from disk at run time rather than imported.
  const migrations = filesIn('server/db/migrations', /\.sql$/);
  assert.ok(migrations.length > 0);
  assert.deepEqual(missing(migrations), []);
  const fonts = filesIn('server/assets/fonts');
  assert.ok(fonts.some((p) => p.endsWith('.ttf')));
  assert.deepEqual(missing(fonts), [], 'the fonts of invoice and receipt PDFs (and their licences)');
  assert.deepEqual(missing(filesIn('demo', /\.(html|css)$/)), [], 'the demo pages');
});
