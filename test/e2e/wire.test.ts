// What a merchant page that embeds one view costs on the wire (issue 15): a page holding only
// <customer-portal view="subscriptions">, signed in, loaded with an empty HTTP cache in
// Chromium. Every script arrives compressed (br or gzip, from the files the build wrote), and
// the bytes on the wire are those compressed files' sizes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { signInWithCode, useDemo } from './support.js';

const demo = useDemo();
const KB = 1024;

const page = (element: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<script type="module" src="/customer-portal.js"></script></head>
<body>${element}</body></html>`;

for (const element of [
  '<customer-portal org="acme" view="subscriptions"></customer-portal>',
  '<customer-portal-subscriptions org="acme"></customer-portal-subscriptions>',
])
  test(`a page with only ${element.slice(0, element.indexOf('>') + 1)}, signed in: at most 35 KB gzip of scripts, every one compressed, its bytes on the wire those of the compressed files`, async () => {
    const oneView = `${demo.server.url}/e2e/one-view`;
    // Signed in once; the session (localStorage) then goes to a fresh context, so nothing is cached.
    const first = await demo.browser.newContext();
    await first.route(oneView, (route) => route.fulfill({ contentType: 'text/html', body: page(element) }));
    const signIn = await first.newPage();
    await signIn.goto(oneView);
    await signInWithCode(signIn, demo.server.url, 'alice@example.com');
    await signIn.getByRole('heading', { name: 'Subscriptions', exact: true }).waitFor();
    const storageState = await first.storageState();
    await first.close();

    const context = await demo.browser.newContext({ storageState });
    await context.route(oneView, (route) => route.fulfill({ contentType: 'text/html', body: page(element) }));
    const tab = await context.newPage();
    const scripts: Array<{ url: string; encoding: string | undefined; accept: string | undefined }> = [];
    tab.on('response', async (response) => {
      if (response.request().resourceType() !== 'script') return;
      scripts.push({
        url: response.url(),
        encoding: response.headers()['content-encoding'],
        accept: (await response.request().allHeaders())['accept-encoding'],
      });
    });
    await tab.goto(oneView);
    await tab.getByRole('heading', { name: 'Subscriptions', exact: true }).waitFor();
    await tab.locator('customer-portal-subscriptions .card').first().waitFor();
    await tab.waitForLoadState('networkidle');

    const entries = await tab.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((e) => e as PerformanceResourceTiming)
        .filter((e) => e.initiatorType === 'script' || e.name.endsWith('.js'))
        .map((e) => ({ url: e.name, encoded: e.encodedBodySize, decoded: e.decodedBodySize })),
    );
    assert.ok(scripts.length >= 2, `scripts: ${scripts.map((s) => s.url).join(', ')}`);
    for (const script of scripts) {
      assert.ok(
        script.encoding === 'br' || script.encoding === 'gzip',
        `${script.url} came with Content-Encoding ${script.encoding} (asked: ${script.accept})`,
      );
    }
    let wire = 0;
    let decoded = 0;
    let gzipEquivalent = 0;
    for (const entry of entries) {
      const path = new URL(entry.url).pathname;
      const file = join(process.cwd(), 'dist', path);
      const encoding = scripts.find((s) => s.url === entry.url)?.encoding;
      const compressed = readFileSync(`${file}.${encoding === 'br' ? 'br' : 'gz'}`).length;
      assert.equal(entry.encoded, compressed, `${path}: ${entry.encoded} bytes on the wire, the ${encoding} file has ${compressed}`);
      assert.equal(entry.decoded, readFileSync(file).length, `${path} decoded`);
      wire += entry.encoded;
      decoded += entry.decoded;
      gzipEquivalent += readFileSync(`${file}.gz`).length;
      console.log(`  ${path}: ${(entry.encoded / KB).toFixed(1)} KB ${encoding} (${(entry.decoded / KB).toFixed(1)} KB)`);
    }
    console.log(
      `one-view page: ${entries.length} scripts, ${(wire / KB).toFixed(1)} KB on the wire, ${(gzipEquivalent / KB).toFixed(1)} KB gzip-equivalent, ${(decoded / KB).toFixed(1)} KB decoded`,
    );
    // At most a third of the scripts' size crosses the wire (it was all of it, uncompressed).
    assert.ok(wire * 3 < decoded, `${wire} bytes on the wire for ${decoded}`);
    // The budget for a page with one view (docs/architecture.md): the entry and that view with all it imports.
    assert.ok(gzipEquivalent <= 35 * KB, `${(gzipEquivalent / KB).toFixed(1)} KB gzip-equivalent of scripts`);
    await context.close();
  });

test('the full portal, served compressed, loads the other sections after the first and shows every section after navigating to it', async () => {
  const context = await demo.browser.newContext();
  const tab = await context.newPage();
  const encodings = new Map<string, string | undefined>();
  tab.on('response', (response) => {
    if (response.request().resourceType() === 'script') encodings.set(new URL(response.url()).pathname, response.headers()['content-encoding']);
  });
  await tab.goto(`${demo.server.url}/demo/`);
  await signInWithCode(tab, demo.server.url, 'alice@example.com');
  await tab.getByRole('heading', { name: 'Overview', exact: true }).waitFor();
  // The other sections' chunks arrive without opening them (prefetched once the first is drawn).
  await tab.waitForFunction(
    () => ['orders', 'settings', 'wallet'].every((name) => performance.getEntriesByType('resource').some((e) => e.name.includes(`/chunks/${name}-`))),
    undefined,
    {
      timeout: 10_000,
    },
  );
  for (const section of ['Subscriptions', 'Orders', 'Benefits', 'Seats', 'Usage', 'Wallet', 'Settings', 'Overview']) {
    await tab.getByRole('button', { name: section, exact: true }).click();
    await tab.getByRole('heading', { name: section, exact: true }).waitFor();
    assert.equal(await tab.getByText('This section could not be loaded').count(), 0, section);
  }
  const widget = [...encodings].filter(([path]) => path === '/customer-portal.js' || path.startsWith('/chunks/'));
  assert.ok(widget.length >= 2, [...encodings.keys()].join(', '));
  for (const [path, encoding] of widget) assert.ok(encoding === 'br' || encoding === 'gzip', `${path}: ${encoding}`);
  await context.close();
});
