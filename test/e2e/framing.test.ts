// The full-page portal cannot be framed: another origin puts it in an iframe and Chromium
// refuses to show it (frame-ancestors 'none'), while the same frame shows an answer that
// allows framing. And the portal still works under its own CSP: sign-in, the overview and
// the hosted card form in its frame, with no CSP violation reported.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { ConsoleMessage, Page } from 'playwright-core';
import { signInWithCode, useDemo } from './support.js';

const demo = useDemo();
let attacker: Server;
let attackerUrl = '';

before(async () => {
  // Another origin (another port): a page that frames whatever ?src= names.
  attacker = createServer((req, res) => {
    const src = new URL(req.url ?? '/', 'http://x').searchParams.get('src') ?? '';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><title>Win a prize</title><p>Click the button!</p><iframe id="victim" src="${src.replace(/"/g, '&quot;')}" width="800" height="600"></iframe>`,
    );
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => attacker.close(() => resolve())));

async function frameFrom(page: Page, src: string) {
  const messages: string[] = [];
  page.on('console', (m: ConsoleMessage) => messages.push(m.text()));
  await page.goto(`${attackerUrl}/?src=${encodeURIComponent(src)}`);
  const frame = await (await page.locator('#victim').elementHandle())!.contentFrame();
  return { frame: frame!, messages };
}

test('another origin frames the signed-in portal: Chromium refuses to show it', async () => {
  const context = await demo.browser.newContext();
  const page = await context.newPage();
  // Signed in first, as the victim would be: the portal keeps its session for the origin.
  await page.goto(`${demo.server.url}/${demo.server.seeded.slug}/portal`);
  await signInWithCode(page, demo.server.url, 'alice@example.com');
  await page.getByRole('heading', { name: 'Overview' }).waitFor();

  const { frame, messages } = await frameFrom(page, `${demo.server.url}/${demo.server.seeded.slug}/portal`);
  await assert.doesNotReject(async () => {
    for (const until = Date.now() + 5000; !messages.some((m) => /frame-ancestors/.test(m)); ) {
      if (Date.now() > until) throw new Error(`no refusal in the console: ${messages.join(' | ')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  const refusal = messages.find((m) => /frame-ancestors/.test(m))!;
  // Chromium: "Framing '…' violates the following Content Security Policy directive: "frame-ancestors 'none'". The request has been blocked."
  assert.match(refusal, /violates the following Content Security Policy directive: "frame-ancestors 'none'"/);
  assert.match(refusal, /blocked/);
  // Chromium shows its error page in the frame instead: none of the portal rendered there.
  assert.match(frame.url(), /^chrome-error:/);
  assert.equal(await frame.locator('customer-portal').count(), 0);
  await context.close();
});

test('the same frame shows an answer that allows framing (the test can tell the difference)', async () => {
  const context = await demo.browser.newContext();
  const page = await context.newPage();
  const { frame } = await frameFrom(page, `${demo.server.url}/health`);
  await frame.waitForLoadState('load');
  assert.equal(frame.url(), `${demo.server.url}/health`);
  assert.match(await frame.locator('body').innerText(), /"ok":true/);
  await context.close();
});

test('the portal works under its own CSP: sign-in, overview, the card form frame, no violation', async () => {
  const context = await demo.browser.newContext();
  const page = await context.newPage();
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/.test(m.text())) violations.push(m.text());
  });
  const res = await page.goto(`${demo.server.url}/${demo.server.seeded.slug}/portal`);
  assert.match(res!.headers()['content-security-policy'] ?? '', /frame-ancestors 'none'/);
  // Zoë's renewal failed: her banner opens the hosted card form (this server, in a frame).
  await signInWithCode(page, demo.server.url, 'zoe@example.com');
  await page.getByRole('button', { name: 'Update payment method' }).first().click();
  await page.frameLocator('iframe[title="Secure card form"]').getByLabel('Card number').waitFor();
  assert.deepEqual(violations, []);
  await context.close();
});
