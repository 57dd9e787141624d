// A merchant embeds the portal on a page whose origin the organization does not allow. Chromium
// hides the server's refusals (CORS) from the page as network errors; the portal must still say
// what is wrong: this origin is not allowed, and how the merchant adds it. Then the merchant
// adds it (the CLI's allow-origin does what PATCH /v1/organization does) and the same page works.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { useDemo } from './support.js';

const demo = useDemo();
let shop: Server;
let shopUrl: string;

before(async () => {
  // The merchant's page, on an origin of its own (another port).
  shop = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const attrs = [
      url.searchParams.get('locale') ? `locale="${url.searchParams.get('locale')}"` : '',
      url.searchParams.get('theme') ? `theme="${url.searchParams.get('theme')}"` : '',
    ]
      .filter(Boolean)
      .join(' ');
    const dark = url.searchParams.get('theme') === 'dark';
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html><head><meta name="viewport" content="width=device-width,initial-scale=1"><title>Shop</title>
<script type="module" src="${demo.server.url}/customer-portal.js"></script></head>
<body style="margin:0;padding:24px;font-family:sans-serif;${dark ? 'background:#0b0d12;color:#e6e8ee' : ''}"><h1>Billing</h1>
<customer-portal org="acme" server-url="${demo.server.url}" ${attrs}></customer-portal></body></html>`);
  });
  await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
  shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => shop.close(() => resolve())));

test('a page on an origin the organization does not allow says so, names the origin and what to add; once added, it works', async () => {
  const { services } = demo.server.runtime.app;
  const org = await services.organizations.bySlug('acme');
  assert.ok(!org.allowed_origins.includes(shopUrl));
  mkdirSync('/tmp/shots', { recursive: true });

  const cases = [
    { name: 'light-1280', width: 1280, query: '' },
    { name: 'light-390', width: 390, query: '' },
    { name: 'dark-1280', width: 1280, query: '?theme=dark' },
    { name: 'ar-390', width: 390, query: '?locale=ar' },
    { name: 'ar-dark-1280', width: 1280, query: '?locale=ar&theme=dark' },
  ];
  for (const c of cases) {
    const context = await demo.browser.newContext({ viewport: { width: c.width, height: 800 }, colorScheme: c.query.includes('dark') ? 'dark' : 'light' });
    const page = await context.newPage();
    await page.goto(`${shopUrl}/${c.query}`);
    const alert = page.locator('customer-portal-sign-in').getByRole('alert');
    await alert.getByText(shopUrl, { exact: false }).first().waitFor();
    const text = (await alert.innerText()).replace(/[\u2066-\u2069]/g, '');
    if (!c.query.includes('locale')) {
      assert.match(text, new RegExp(`This page \\(${shopUrl.replace(/[.:/]/g, '\\$&')}\\) may not use this portal`));
      assert.ok(text.includes(`allow-origin --slug acme --origin ${shopUrl}`), text);
      assert.ok(text.includes('PATCH /v1/organization (allowed_origins)'), text);
      assert.ok(!text.includes('Check your connection'), text);
    }
    await page.screenshot({ path: `/tmp/shots/origin-${c.name}.png`, fullPage: true });
    await context.close();
  }

  // The merchant adds the origin: the same page now loads the organization's sign-in.
  await services.organizations.update(org, { allowed_origins: [...org.allowed_origins, shopUrl] });
  const context = await demo.browser.newContext();
  const page = await context.newPage();
  await page.goto(shopUrl);
  await page.getByRole('heading', { name: 'Sign in to Acme Cloud' }).waitFor();
  assert.ok(!(await page.locator('customer-portal-sign-in').innerText()).includes('may not use this portal'));
  await context.close();
});
