// Portal answers served again only while they are what a fresh read would answer
// (modules/portal-cache, migration 0015): a change by anyone, through any server on the same
// database, shows at the next read; time alone ages an answer out after PORTAL_CACHE_SECONDS.
// On the real Postgres run of `npm test` (TEST_DATABASE_URL) the simultaneous requests race.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createApp } from '../../app.js';
import { Background } from '../../lib/background.js';
import { createLogger } from '../../lib/logger.js';
import { createShop, createSubscriber, subscribe, type Shop } from '../../testing/billing.js';
import { CapturingMailer, createTestContext, type TestContext } from '../../testing/harness.js';
import { spyOnQueries } from '../../testing/query-spy.js';

let t: TestContext;
let shop: Shop;

before(async () => {
  t = await createTestContext();
  t.clock.set('2026-03-10T12:00:00.000Z');
  shop = await createShop(t);
});
after(() => t.close());

/** A second server on the same database, as another process would be: its own caches, its own sessions. */
function otherServer() {
  const logger = createLogger(
    'warn',
    new Writable({
      write(_chunk, _enc, done) {
        done();
      },
    }),
  );
  const app = createApp({ database: t.database, config: t.config, clock: t.clock, mailer: new CapturingMailer(), logger, background: new Background(logger) });
  return async (method: string, path: string, token: string, body?: unknown) => {
    const res = await app.request(path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
}

const get = async (path: string, token: string) => {
  const res = await t.request('GET', path, { token });
  assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body)}`);
  return res.body;
};

describe('a portal view read again', () => {
  test('is served from the cache with one statement, the same answer', async () => {
    const buyer = await createSubscriber(t, shop);
    await subscribe(t, shop, buyer.id, shop.prices.pro);
    await get('/portal/v1/me', buyer.token);
    const spy = spyOnQueries(t.database.db);
    try {
      for (const view of ['overview', 'subscriptions', 'orders', 'wallet', 'benefits']) {
        const first = await spy.during(() => get(`/portal/v1/${view}`, buyer.token));
        const again = await spy.during(() => get(`/portal/v1/${view}`, buyer.token));
        assert.deepEqual(again.result, first.result, view);
        assert.equal(again.sql.length, 1, `${view} again: ${again.sql.join(' | ')}`);
        assert.match(again.sql[0]!, /read_versions/);
        assert.ok(first.sql.length > 1, `${view}: computed the first time (${first.sql.length} statements)`);
      }
    } finally {
      spy.restore();
    }
  });

  test('is sent compressed to a browser as compressAnswer would, the same JSON', async () => {
    const buyer = await createSubscriber(t, shop);
    await subscribe(t, shop, buyer.id, shop.prices.pro);
    const plain = await get('/portal/v1/overview', buyer.token);
    for (const [encoding, decode] of [
      ['br', brotliDecompressSync],
      ['gzip', gunzipSync],
    ] as const) {
      for (let i = 0; i < 2; i++) {
        const res = await t.app.request('/portal/v1/overview', {
          headers: { authorization: `Bearer ${buyer.token}`, 'accept-encoding': `${encoding}, deflate` },
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-encoding'), encoding);
        assert.match(res.headers.get('vary') ?? '', /Accept-Encoding/);
        const raw = Buffer.from(await res.arrayBuffer());
        assert.equal(Number(res.headers.get('content-length')), raw.length);
        assert.deepEqual(JSON.parse(decode(raw).toString()), plain);
      }
    }
  });

  test("shows the customer's own change, a merchant's change and a job's change at once", async () => {
    const buyer = await createSubscriber(t, shop);
    const sub = await subscribe(t, shop, buyer.id, shop.prices.basic);
    assert.equal((await get('/portal/v1/overview', buyer.token)).subscriptions[0].cancel_at_period_end, false);
    await get('/portal/v1/overview', buyer.token);

    const cancel = await t.request('POST', `/portal/v1/subscriptions/${sub.id}/cancel`, { token: buyer.token, body: { mode: 'at_period_end' } });
    assert.equal(cancel.status, 200, JSON.stringify(cancel.body));
    assert.equal((await get('/portal/v1/overview', buyer.token)).subscriptions[0].cancel_at_period_end, true);

    // The catalog (the organization's rows): every customer's views.
    assert.equal((await t.request('PATCH', `/v1/products/${shop.products.basic}`, { token: shop.org.key, body: { name: 'Basic Plus' } })).status, 200);
    assert.equal((await get('/portal/v1/overview', buyer.token)).subscriptions[0].product.name, 'Basic Plus');
    assert.equal((await get(`/portal/v1/subscriptions/${sub.id}`, buyer.token)).product.name, 'Basic Plus');

    const credit = await t.request('POST', '/v1/wallet-credits', {
      token: shop.org.key,
      body: { customer_id: buyer.id, amount: 700, currency: 'usd', description: 'Sorry' },
    });
    assert.equal(credit.status, 201, JSON.stringify(credit.body));
    assert.deepEqual((await get('/portal/v1/wallet', buyer.token)).balances, [{ currency: 'USD', balance: 700 }]);

    // SQL by hand (an operator's fix): the triggers see it as they see the server's own.
    await sql`UPDATE wallet_transactions SET remaining = 650 WHERE customer_id = ${buyer.id}`.execute(t.database.db);
    assert.deepEqual((await get('/portal/v1/wallet', buyer.token)).balances, [{ currency: 'USD', balance: 650 }]);
    assert.deepEqual((await get('/portal/v1/overview', buyer.token)).wallet.balances, [{ currency: 'USD', balance: 650 }]);

    // The job at the period's end ends the subscription set to cancel (signed in again: a month passed).
    t.clock.set(new Date(new Date(sub.current_period_end).getTime() + 60_000).toISOString());
    await t.runJobs();
    const token = await t.signIn(shop.org.slug, buyer.email);
    assert.deepEqual((await get('/portal/v1/overview', token)).subscriptions, [], 'canceled at the period end: no longer live');
    assert.equal((await get(`/portal/v1/subscriptions/${sub.id}`, token)).status, 'canceled');
  });

  test("a seat holder's overview follows the owner's subscription and name", async () => {
    const owner = await createSubscriber(t, shop, { name: 'Owner Co' });
    const team = await subscribe(t, shop, owner.id, shop.prices.team, { seats: 2 });
    const mate = await createSubscriber(t, shop, { card: null, name: 'Mate' });
    const seat = await t.request('POST', '/portal/v1/seats', { token: owner.token, body: { subscription_id: team.id, email: mate.email } });
    assert.equal(seat.status, 201, JSON.stringify(seat.body));
    const claimToken = /cp_seat=([\w%-]+)/.exec(t.mail.to(mate.email).at(-1)!.text)?.[1];
    assert.ok(claimToken, 'the invitation carries a claim link');
    const claim = await t.request('POST', '/portal/v1/seats/claim', { body: { token: decodeURIComponent(claimToken) } });
    assert.equal(claim.status, 200, JSON.stringify(claim.body));
    const mateToken = claim.body.token as string;
    const read = async () => (await get('/portal/v1/overview', mateToken)).memberships;
    assert.equal((await read())[0]?.owner, 'Owner Co');
    await read();
    assert.equal((await t.request('PATCH', `/v1/customers/${owner.id}`, { token: shop.org.key, body: { name: 'Owner Renamed' } })).status, 200);
    assert.equal((await read())[0]?.owner, 'Owner Renamed');
    const canceled = await t.request('POST', `/v1/subscriptions/${team.id}/cancel`, { token: shop.org.key, body: { mode: 'immediately' } });
    assert.equal(canceled.status, 200, JSON.stringify(canceled.body));
    assert.deepEqual(await read(), [], 'no longer a member once the subscription ended');
  });
});

describe('another server on the same database', () => {
  test('a change made through it shows at the next read here', async () => {
    const other = otherServer();
    const buyer = await createSubscriber(t, shop);
    const sub = await subscribe(t, shop, buyer.id, shop.prices.pro);
    await get('/portal/v1/subscriptions', buyer.token);
    assert.equal((await get('/portal/v1/subscriptions', buyer.token)).data[0].cancel_at_period_end, false);
    const cancel = await other('POST', `/portal/v1/subscriptions/${sub.id}/cancel`, buyer.token, { mode: 'at_period_end' });
    assert.equal(cancel.status, 200, JSON.stringify(cancel.body));
    assert.equal((await get('/portal/v1/subscriptions', buyer.token)).data[0].cancel_at_period_end, true);
    assert.equal((await other('GET', '/portal/v1/subscriptions', buyer.token)).body.data[0].cancel_at_period_end, true);
  });

  test('after its change this server reads the session afresh and keeps answers again at once', async () => {
    const other = otherServer();
    const buyer = await createSubscriber(t, shop);
    await subscribe(t, shop, buyer.id, shop.prices.pro);
    await get('/portal/v1/orders', buyer.token);
    const credit = await other('POST', '/v1/wallet-credits', shop.org.key, { customer_id: buyer.id, amount: 100, currency: 'usd', description: 'x' });
    assert.equal(credit.status, 201, JSON.stringify(credit.body));
    await get('/portal/v1/orders', buyer.token); // computed from the older session: served, not kept
    await get('/portal/v1/orders', buyer.token); // the session read again: computed and kept
    const spy = spyOnQueries(t.database.db);
    try {
      const again = await spy.during(() => get('/portal/v1/orders', buyer.token));
      assert.equal(again.sql.length, 1, again.sql.join(' | '));
    } finally {
      spy.restore();
    }
  });

  test('an answer computed from an older session is not kept: the rename shows once the session is read again', async () => {
    const other = otherServer();
    const buyer = await createSubscriber(t, shop, { name: 'Before' });
    await get('/portal/v1/overview', buyer.token);
    // Renamed through the other server: this one still holds the session (and the customer's row) it read.
    assert.equal((await other('PATCH', '/portal/v1/me', buyer.token, { name: 'After' })).status, 200);
    await get('/portal/v1/overview', buyer.token);
    t.clock.advance(2_500); // past the session's 2 s in this process, well inside the answers' 10 s
    assert.equal((await get('/portal/v1/overview', buyer.token)).customer.name, 'After');
  });
});

describe('time alone', () => {
  test('ages an answer out after PORTAL_CACHE_SECONDS: the refund is priced to a new second', async () => {
    const buyer = await createSubscriber(t, shop);
    await subscribe(t, shop, buyer.id, shop.prices.pro);
    const asOf = async () => (await get('/portal/v1/subscriptions', buyer.token)).data[0].cancellation.immediate_refund?.as_of as string;
    const first = await asOf();
    assert.ok(first, 'the cancel dialog shows what cancelling now refunds');
    t.clock.advance(9_000);
    assert.equal(await asOf(), first, 'served again within 10 s: priced as of the second it shows');
    t.clock.advance(1_000);
    const later = await asOf();
    assert.equal(later, t.clock.now().toISOString(), 'computed again at 10 s');
  });

  test('PORTAL_CACHE_SECONDS=0 computes every answer', async () => {
    const fresh = await createTestContext({ portalCacheSeconds: 0 });
    try {
      const s = await createShop(fresh);
      const buyer = await createSubscriber(fresh, s);
      await subscribe(fresh, s, buyer.id, s.prices.pro);
      await fresh.request('GET', '/portal/v1/overview', { token: buyer.token });
      const spy = spyOnQueries(fresh.database.db);
      try {
        const again = await spy.during(() => fresh.request('GET', '/portal/v1/overview', { token: buyer.token }));
        assert.equal(again.result.status, 200);
        assert.ok(again.sql.length > 1 && !again.sql.some((q) => /read_versions/.test(q)), again.sql.join(' | '));
      } finally {
        spy.restore();
      }
    } finally {
      await fresh.close();
    }
  });
});

describe('simultaneous reads and changes', () => {
  test('12 credits granted while 12 reads run: every read after them shows all 12 (12 × 250 = 3000)', async () => {
    const buyer = await createSubscriber(t, shop);
    await get('/portal/v1/wallet', buyer.token);
    const credits = Array.from({ length: 12 }, () =>
      t.request('POST', '/v1/wallet-credits', { token: shop.org.key, body: { customer_id: buyer.id, amount: 250, currency: 'usd', description: 'Goodwill' } }),
    );
    const reads = Array.from({ length: 12 }, () => t.request('GET', '/portal/v1/wallet', { token: buyer.token }));
    for (const res of await Promise.all(credits)) assert.equal(res.status, 201, JSON.stringify(res.body));
    for (const res of await Promise.all(reads)) assert.equal(res.status, 200, JSON.stringify(res.body));
    for (const view of ['wallet', 'overview'] as const) {
      const body = await get(`/portal/v1/${view}`, buyer.token);
      assert.deepEqual(view === 'wallet' ? body.balances : body.wallet.balances, [{ currency: 'USD', balance: 3000 }], view);
    }
    assert.equal((await get('/portal/v1/wallet', buyer.token)).transactions.data.length, 12);
  });
});

describe('simultaneous writers of the same customers', () => {
  // The version rows are locked at the commit, in id order, for the whole transaction at once: two
  // transactions naming the same customers in opposite order cannot deadlock on them (rows locked
  // one by one in the order they were written did, at the commit: the review of 0015).
  test('two usage batches naming customers A, B and B, A at once both land, five times over', async () => {
    const a = await t.createCustomer(shop.org.key, { email: 'order-a@example.com' });
    const b = await t.createCustomer(shop.org.key, { email: 'order-b@example.com' });
    for (let round = 0; round < 5; round++) {
      const batch = (first: string, second: string, tag: string) => ({
        events: [
          ...Array.from({ length: 400 }, (_, i) => ({ id: `${tag}-${round}-${i}`, customer_id: first, name: 'api.call' })),
          { id: `${tag}-${round}-last`, customer_id: second, name: 'api.call' },
        ],
      });
      const results = await Promise.all([
        t.request('POST', '/v1/events', { token: shop.org.key, body: batch(a.id, b.id, 'ab') }),
        t.request('POST', '/v1/events', { token: shop.org.key, body: batch(b.id, a.id, 'ba') }),
      ]);
      for (const res of results) assert.equal(res.status, 202, `round ${round}: ${JSON.stringify(res.body)}`);
    }
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM usage_events WHERE customer_id IN (${a.id}, ${b.id})`.execute(t.database.db);
    assert.equal(rows[0]!.n, 5 * 2 * 401);
  });
});

describe('every table a portal view reads advances the read versions', () => {
  /** Tables no portal view shows, and why. */
  const NEVER_SHOWN: Record<string, string> = {
    schema_migrations: 'the migrations applied',
    read_versions: 'the versions themselves',
    read_version_pending: 'what a transaction will advance at its commit',
    api_keys: 'the merchant API only',
    login_codes: 'sign-in; no view',
    link_tokens: 'sign-in; no view',
    sessions: 'authentication; the session is read with its own versions',
    rate_limits: 'sign-in throttling',
    outbox_emails: 'the merchant API and the dev outbox',
    idempotency_keys: 'replays of changes, never a view',
    invoice_counters: 'numbers appear on orders, which are versioned',
    webhook_endpoints: 'the merchant API only',
    webhook_events: 'the merchant API only',
    webhook_deliveries: 'the merchant API only',
    hosted_tokens: 'hosted pages; no view',
    stripe_events: "Stripe's webhooks, deduplicated; their effects land in versioned tables",
    test_provider_setup_intents: "the offline provider's own state; saved cards are payment_methods",
    test_provider_charges: "the offline provider's own state; what a view shows is in payments",
    test_provider_refunds: "the offline provider's own state; what a view shows is in refunds",
  };
  const TRIGGERS = ['read_version_insert', 'read_version_update', 'read_version_delete', 'read_version_truncate'];

  test('each has its trigger, or says why no view shows it', async () => {
    const { rows: tables } = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`.execute(t.database.db);
    const { rows: triggers } = await sql<{ table_name: string; name: string }>`
      SELECT c.relname AS table_name, tg.tgname AS name FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
      WHERE tg.tgname LIKE 'read_version%' AND NOT tg.tgisinternal`.execute(t.database.db);
    const missing: string[] = [];
    for (const { table_name: name } of tables) {
      if (name in NEVER_SHOWN) continue;
      const have = new Set(triggers.filter((tg) => tg.table_name === name).map((tg) => tg.name));
      const lacking = TRIGGERS.filter((tg) => !have.has(tg));
      if (lacking.length) missing.push(`${name}: ${lacking.join(', ')}`);
    }
    assert.deepEqual(missing, [], 'a table has neither the read_version triggers (migration 0015) nor a reason here that no view shows it');
    for (const name of ['customers', 'organizations', 'order_lines', 'payments', 'refunds', 'license_key_activations', 'usage_events']) {
      assert.ok(!(name in NEVER_SHOWN) && tables.some((r) => r.table_name === name), `${name} is versioned`);
    }
  });

  test('TRUNCATE (SQL by hand) makes every kept answer stale', async () => {
    const buyer = await createSubscriber(t, shop);
    const credit = await t.request('POST', '/v1/wallet-credits', {
      token: shop.org.key,
      body: { customer_id: buyer.id, amount: 700, currency: 'usd', description: 'Gift' },
    });
    assert.equal(credit.status, 201);
    assert.deepEqual((await get('/portal/v1/wallet', buyer.token)).balances, [{ currency: 'USD', balance: 700 }]);
    await get('/portal/v1/wallet', buyer.token);
    await sql`TRUNCATE wallet_transactions`.execute(t.database.db);
    assert.deepEqual((await get('/portal/v1/wallet', buyer.token)).balances, []);
  });

  test('a renewals lease taken and released changes no version; a status change does', async () => {
    const buyer = await createSubscriber(t, shop);
    const sub = await subscribe(t, shop, buyer.id, shop.prices.basic);
    const version = async () =>
      Number((await sql<{ version: string }>`SELECT version FROM read_versions WHERE id = ${buyer.id}`.execute(t.database.db)).rows[0]?.version ?? 0);
    const start = await version();
    await sql`UPDATE subscriptions SET locked_until = now() + interval '1 minute' WHERE id = ${sub.id}`.execute(t.database.db);
    await sql`UPDATE subscriptions SET locked_until = NULL WHERE id = ${sub.id}`.execute(t.database.db);
    assert.equal(await version(), start);
    await sql`UPDATE subscriptions SET cancel_at_period_end = true WHERE id = ${sub.id}`.execute(t.database.db);
    assert.equal(await version(), start + 1);
  });

  test('a transaction that changes many rows of one customer advances their version once', async () => {
    const buyer = await createSubscriber(t, shop);
    const version = async () =>
      Number((await sql<{ version: string }>`SELECT version FROM read_versions WHERE id = ${buyer.id}`.execute(t.database.db)).rows[0]?.version ?? 0);
    const start = await version();
    await t.database.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 3; i++) {
        await sql`UPDATE customers SET name = ${`Name ${i}`} WHERE id = ${buyer.id}`.execute(trx);
      }
    });
    assert.equal(await version(), start + 1);
  });
});
