import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from './cli.js';
import { loadConfig } from './config.js';
import { silentLogger } from './lib/logger.js';
import { seedDemo } from './modules/demo/seed.js';
import { createRuntime } from './runtime.js';

const dataDir = mkdtempSync(join(tmpdir(), 'cp-cli-'));
const saved = { DATA_DIR: process.env.DATA_DIR, DATABASE_URL: process.env.DATABASE_URL, SECRET: process.env.SECRET };
process.env.DATA_DIR = dataDir;
delete process.env.DATABASE_URL;
process.env.SECRET = 'cli-test-secret-long-enough-0123456789';
after(() => {
  Object.assign(process.env, saved);
  rmSync(dataDir, { recursive: true, force: true });
});

test('create-org prints a secret key, shown once, that the merchant API accepts', async () => {
  const lines: string[] = [];
  const code = await runCli(['create-org', '--slug', 'acme', '--name', 'Acme', '--origin', 'https://acme.example'], (l) => lines.push(l));
  assert.equal(code, 0, lines.join('\n'));
  const key = /Secret key \(shown once, store it now\): (sk_\S+)/.exec(lines.join('\n'))?.[1];
  assert.ok(key, 'the key is printed');

  const runtime = await createRuntime(loadConfig(), { logger: silentLogger, jobs: false });
  try {
    const res = await runtime.app.request('/v1/organization', { headers: { authorization: `Bearer ${key}` } });
    const body = await res.json();
    assert.equal(res.status, 200);
    assert.equal(body.slug, 'acme');
    assert.deepEqual(body.allowed_origins, ['https://acme.example']);
  } finally {
    await runtime.close();
  }
});

test('allow-origin adds a page origin to an organization, and refuses one that is not an origin', async () => {
  const lines: string[] = [];
  assert.equal(await runCli(['allow-origin', '--slug', 'acme', '--origin', 'https://shop.acme.example'], (l) => lines.push(l)), 0, lines.join('\n'));
  assert.match(lines.join('\n'), /Allowed origins of acme: https:\/\/acme\.example, https:\/\/shop\.acme\.example/);
  lines.length = 0;
  assert.equal(await runCli(['allow-origin', '--slug', 'acme', '--origin', 'https://shop.acme.example/billing'], (l) => lines.push(l)), 2);
  assert.match(lines.join('\n'), /--origin: /);
  lines.length = 0;
  assert.equal(await runCli(['allow-origin', '--slug', 'acme'], (l) => lines.push(l)), 2);
  assert.match(lines.join('\n'), /give at least one origin/);
  const runtime = await createRuntime(loadConfig(), { logger: silentLogger, jobs: false });
  try {
    const res = await runtime.app.request('/portal/v1/organizations/acme/origin', { headers: { origin: 'https://shop.acme.example' } });
    assert.equal((await res.json()).allowed, true);
  } finally {
    await runtime.close();
  }
});

test('bad arguments and taken slugs get a clear message and a non-zero exit', async () => {
  const lines: string[] = [];
  assert.equal(await runCli(['create-org', '--slug', 'Not A Slug', '--name', 'x'], (l) => lines.push(l)), 2);
  assert.match(lines.join('\n'), /--slug: Use 1–48 lowercase letters/);
  lines.length = 0;
  assert.equal(await runCli(['create-org', '--slug', 'acme', '--name', 'Again'], (l) => lines.push(l)), 1);
  assert.match(lines.join('\n'), /already exists/);
  lines.length = 0;
  assert.equal(await runCli(['frobnicate'], (l) => lines.push(l)), 2);
  assert.match(lines.join('\n'), /Usage:/);
});

test('the demo seed is idempotent and migrations apply once', async () => {
  const config = loadConfig();
  for (let i = 0; i < 2; i++) {
    const runtime = await createRuntime(config, { logger: silentLogger, demo: true, jobs: false });
    try {
      const seeded = await seedDemo(runtime.app.services, config, runtime.database.db);
      const res = await runtime.app.request('/v1/customers?limit=100', { headers: { authorization: `Bearer ${seeded.secretKey}` } });
      const body = await res.json();
      assert.deepEqual(body.data.map((c: { email: string }) => c.email).sort(), [...seeded.emails].sort());
      const page = await runtime.app.request('/demo/');
      assert.equal(page.status, 200);
      const subs = await (await runtime.app.request('/v1/subscriptions?limit=100', { headers: { authorization: `Bearer ${seeded.secretKey}` } })).json();
      const states = subs.data.map((s: { status: string; cancel_at_period_end: boolean }) => (s.cancel_at_period_end ? 'canceling' : s.status)).sort();
      assert.deepEqual(states, ['active', 'active', 'active', 'canceled', 'canceling', 'past_due', 'trialing'], 'seeded once, in every state');
    } finally {
      await runtime.close();
    }
  }
});
