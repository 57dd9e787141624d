// Two real server processes on one Postgres, both running the jobs: 100 subscriptions due at
// once are each renewed and charged once; each webhook delivery attempt happens once; a sign-out
// on one instance is honoured by the other within 2 s; rate limits count across both.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { after, before, test } from 'node:test';
import { freePort, spawnServer } from './support.js';
import pg from 'pg';
import { startPostgres } from '../../scripts/postgres.mjs';
import { loadConfig } from '../../server/config.js';
import { TestClock, DAY } from '../../server/lib/clock.js';
import { silentLogger } from '../../server/lib/logger.js';
import type { TestProvider } from '../../server/modules/payments/test-provider.js';
import { createRuntime } from '../../server/runtime.js';

const SECRET = 'instances-test-secret-0123456789abcdef';
const SUBSCRIPTIONS = 100;
let postgres: Awaited<ReturnType<typeof startPostgres>>;
let client: pg.Client;
const children: ChildProcess[] = [];
const bases: string[] = [];
let key = '';
const received: string[] = [];
let receiver: ReturnType<typeof createHttpServer>;

/** Waits for `check` to hold, asking again after each answer, for at most `ms`. */
async function eventually<T>(check: () => Promise<T | undefined | false>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

before(async () => {
  postgres = await startPostgres();
  const hookPort = await freePort();
  receiver = createHttpServer((req, res) => {
    received.push(String(req.headers['webhook-id']));
    req.resume();
    req.on('end', () => res.writeHead(200).end('ok'));
  });
  await new Promise<void>((resolve) => receiver.listen(hookPort, '127.0.0.1', resolve));

  // The data, made a month ago by the engine itself (its own clock), so everything is due now.
  const clock = new TestClock();
  clock.set(new Date(Date.now() - 31 * DAY - 60_000).toISOString());
  const setupConfig = loadConfig({ DATABASE_URL: postgres.url, SECRET, PUBLIC_URL: 'http://127.0.0.1', DATA_DIR: '/tmp/cp-instances-unused' });
  const runtime = await createRuntime(setupConfig, { clock, logger: silentLogger, jobs: false });
  const { services } = runtime.app;
  const org = await services.organizations.create({ slug: 'twin', name: 'Twin', allowed_origins: [] });
  key = await services.organizations.createSecretKey(org.id);
  const product = await services.catalog.createProduct(org.id, {
    name: 'Plan',
    visibility: 'public',
    prices: [{ type: 'recurring', model: 'flat', currency: 'usd', unit_amount: 1200, interval: 'month', interval_count: 1, included_units: 0 } as never],
  });
  const provider = services.payments.provider as TestProvider;
  for (let i = 0; i < SUBSCRIPTIONS; i++) {
    const customer = await services.customers.create(org.id, { email: `twin${i}@example.com` });
    const setup = await services.payments.startSetup(customer);
    await provider.confirmSetupIntent(setup.setup_intent_id, setup.client_secret, { number: '4242424242424242', exp_month: 12, exp_year: 2034, cvc: '123' });
    await services.payments.completeSetup(customer, setup.setup_intent_id, true);
    await services.subscriptions.create(org, { customer_id: customer.id, price_id: product.prices[0]!.id });
  }
  // Registered before any instance runs: every renewal's event is delivered to the receiver.
  const hook = await runtime.app.request('/v1/webhook-endpoints', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: `http://127.0.0.1:${hookPort}/hook`, events: ['subscription.renewed'] }),
  });
  assert.equal(hook.status, 201, await hook.text());
  await runtime.close();
  client = new pg.Client({ connectionString: postgres.url });
  await client.connect();

  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const { child, ready } = spawnServer({
      env: {
        DATABASE_URL: postgres.url,
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: base,
        SECRET,
        JOBS_INTERVAL_SECONDS: '1',
        LOG_LEVEL: 'info',
        DATA_DIR: '/tmp/cp-instances-unused',
      },
    });
    children.push(child);
    await ready;
    bases.push(base);
  }
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await client?.end();
  receiver?.close();
  postgres?.stop();
});

test(`${SUBSCRIPTIONS} subscriptions due at once, two instances running the jobs: each renewed and charged once; each webhook delivered once`, {
  timeout: 240_000,
}, async () => {
  const count = async (sql: string) => Number((await client.query(sql)).rows[0].n);
  await eventually(
    async () => (await count(`SELECT count(*) AS n FROM orders WHERE billing_reason = 'subscription_cycle' AND status = 'paid'`)) >= SUBSCRIPTIONS,
    180_000,
    'the renewals',
  );
  const perSub = await client.query(
    `SELECT subscription_id, count(*)::int AS n FROM orders WHERE billing_reason = 'subscription_cycle' GROUP BY subscription_id`,
  );
  assert.equal(perSub.rowCount, SUBSCRIPTIONS);
  assert.ok(
    perSub.rows.every((r) => r.n === 1),
    'one renewal order per subscription',
  );
  const charges = await client.query(
    `SELECT o.id, count(c.*)::int AS n, sum(c.amount)::int AS amount FROM orders o JOIN test_provider_charges c ON c.idempotency_key LIKE o.id || ':%' WHERE o.billing_reason = 'subscription_cycle' GROUP BY o.id`,
  );
  assert.equal(charges.rowCount, SUBSCRIPTIONS);
  assert.ok(
    charges.rows.every((r) => r.n === 1 && r.amount === 1200),
    'one charge of 1200 per renewal',
  );
  // Every delivery attempted once (no other instance sends it again while the first holds it).
  const deliveries = await eventually(
    async () => {
      const n = await count(`SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'succeeded'`);
      return n >= SUBSCRIPTIONS ? n : undefined;
    },
    60_000,
    'the webhook deliveries',
  );
  assert.equal(deliveries, SUBSCRIPTIONS);
  assert.equal(received.length, SUBSCRIPTIONS, 'one request per delivery');
  assert.equal(new Set(received).size, SUBSCRIPTIONS, 'no webhook-id twice');
});

test('a sign-out on one instance is honoured by the other within 2 s; rate limits count across both', { timeout: 60_000 }, async () => {
  const [a, b] = bases as [string, string];
  const json = { 'content-type': 'application/json' };
  const ask = (base: string) =>
    fetch(`${base}/portal/v1/auth/request`, { method: 'POST', headers: json, body: JSON.stringify({ organization: 'twin', email: 'twin0@example.com' }) });
  assert.equal((await ask(a)).status, 202);
  // The email is stored just after the answer: wait for it.
  const body = await eventually(
    async () =>
      (
        await client.query(
          `SELECT text_body FROM outbox_emails WHERE to_address = 'twin0@example.com' AND subject LIKE 'Your sign-in code%' ORDER BY id DESC LIMIT 1`,
        )
      ).rows[0]?.text_body as string | undefined,
    10_000,
    'the sign-in email',
  );
  const code = /(\d{6})/.exec(body.split('\n')[0]!)![1];
  const verified = await fetch(`${a}/portal/v1/auth/verify`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ organization: 'twin', email: 'twin0@example.com', code }),
  });
  assert.equal(verified.status, 200);
  const { token } = (await verified.json()) as { token: string };
  const me = (base: string) => fetch(`${base}/portal/v1/me`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
  assert.equal(await me(b), 200, 'the session works on the other instance');
  assert.equal((await fetch(`${a}/portal/v1/auth/sign-out`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status, 204);
  const signedOut = Date.now();
  await eventually(async () => (await me(b)) === 401, 3_000, 'the other instance to refuse the session');
  const seconds = (Date.now() - signedOut) / 1000;
  console.log(`sign-out honoured by the other instance after ${seconds.toFixed(2)} s`);
  assert.ok(seconds <= 2.5, `honoured after ${seconds.toFixed(2)} s`);

  // 5 code requests per email per 15 minutes, counted in the database: one was made above;
  // alternate the instances and the sixth is refused wherever it lands.
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await ask(i % 2 === 0 ? b : a)).status);
  assert.deepEqual(statuses.slice(0, 4), [202, 202, 202, 202]);
  assert.ok(
    statuses.slice(4).every((s) => s === 429),
    `over the limit on either instance: ${statuses}`,
  );
});
