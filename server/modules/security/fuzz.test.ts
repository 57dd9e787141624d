// Property-based fuzzing of every route the Hono app has (read from app.routes, so a new
// route is fuzzed without anyone listing it): arbitrary path ids, query strings and JSON
// bodies — NUL, unpaired surrogates, huge and negative numbers, deep nesting, wrong types,
// extra and missing fields — sent with and without credentials, mixed with real ids and
// good values so requests get past validation too. Each answer must be below 500, every
// refusal must be {error: {code, message}}, and a refused request must change no table
// (except the ones that count refusals: see MAY_CHANGE_WHEN_REFUSED).
//
// FUZZ_RUNS (requests per route, default 10) and FUZZ_SEED (default fixed) reproduce a run.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { createShop, createSubscriber, subscribe, type Shop } from '../../testing/billing.js';
import { createTestContext, type TestContext } from '../../testing/harness.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10);
const SEED = Number(process.env.FUZZ_SEED ?? 1_2026_0115);

/** Tables a refused request may change, and why. */
const MAY_CHANGE_WHEN_REFUSED: Record<string, string> = {
  rate_limits: 'refused attempts count towards the limit (that is the point)',
  login_codes: 'a wrong code counts a try (five kill the code)',
  test_provider_setup_intents: 'a declined card is recorded on the setup intent, as Stripe does',
};

let t: TestContext;
let shop: Shop;
let subscriber: Awaited<ReturnType<typeof createSubscriber>>;
let sessionToken: string;
const ids = new Map<string, string[]>(); // prefix → ids that exist

interface Route {
  method: string;
  path: string;
}

const uniqueRoutes = (routes: ReadonlyArray<{ method: string; path: string }>): Route[] => {
  const seen = new Map<string, Route>();
  for (const r of routes) if (r.method !== 'ALL' && !seen.has(`${r.method} ${r.path}`)) seen.set(`${r.method} ${r.path}`, { method: r.method, path: r.path });
  return [...seen.values()];
};

// ── what requests are made of ─────────────────────────────────────────────────────────────

/** Percent-encodes any string, lone surrogates included (as the bytes a careless client sends). */
function encode(text: string): string {
  let out = '';
  for (const ch of text) {
    const unit = ch.charCodeAt(0);
    if (ch.length === 1 && unit >= 0xd800 && unit <= 0xdfff) {
      out += `%${(0xe0 | (unit >> 12)).toString(16)}%${(0x80 | ((unit >> 6) & 0x3f)).toString(16)}%${(0x80 | (unit & 0x3f)).toString(16)}`.toUpperCase();
    } else out += encodeURIComponent(ch);
  }
  return out;
}

const BAD_TEXT = ['\u0000', 'a\u0000b', '\ud800', 'x\udfff', '\ud83d', '\udc00\ud800', 'é\u0000'];
const HUGE_NUMBERS = [2147483647, 2147483648, -2147483649, 4294967296, 2 ** 53, -(2 ** 53), 2 ** 63, 1e21, 1e308, -1e308, 5e-324, -0, 0, -1, 0.5, 99.999];

const badText = fc.constantFrom(...BAD_TEXT);
const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 16 }) },
  { weight: 2, arbitrary: badText },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      'x'.repeat(300),
      'ß'.repeat(5000),
      '💥'.repeat(3000),
      'y'.repeat(200_000),
      '<script>alert(1)</script>',
      "'; DROP TABLE customers; --",
      '../../etc/passwd',
      'true',
      '12',
      'null',
    ),
  },
);
const number = fc.oneof(fc.constantFrom(...HUGE_NUMBERS), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
const id = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...[...ids.values()].flat()) },
    { weight: 1, arbitrary: fc.constantFrom(...ids.keys()).map((prefix) => `${prefix}_01KF0RDQG07X3ZVGPW2F6CGMG5`) },
    { weight: 1, arbitrary: text },
  );

/** Values that pass validation for a field, so a request gets as far as the database. */
function goodValues(): Record<string, fc.Arbitrary<unknown>> {
  const of = (prefix: string) => fc.constantFrom(...(ids.get(prefix)?.length ? ids.get(prefix)! : [`${prefix}_none`]));
  return {
    email: fc.constantFrom('fuzz@example.com', subscriber.email, 'Fuzz.Upper@Example.COM'),
    name: text,
    customer_id: of('cus'),
    price_id: of('price'),
    product_id: of('prod'),
    benefit_id: of('ben'),
    subscription_id: of('sub'),
    order_id: of('ord'),
    meter_id: of('mtr'),
    setup_intent_id: fc.constant('tseti_none'),
    currency: fc.constantFrom('usd', 'eur', 'jpy', 'USD', 'xxx'),
    unit_amount: number,
    amount: number,
    quantity: number,
    seats: number,
    interval: fc.constantFrom('month', 'year', 'day', 'week'),
    interval_count: number,
    trial_days: number,
    type: fc.constantFrom('recurring', 'one_time', 'download', 'license_key', 'api_key', 'custom', 'discord'),
    model: fc.constantFrom('flat', 'per_seat', 'metered'),
    url: fc.constantFrom('https://hooks.example.com/in', 'http://localhost:1/x', 'https://169.254.169.254/'),
    events: fc.constantFrom(['order.paid'], ['customer.updated', 'subscription.created']),
    organization: fc.constantFrom(shop.org.slug, 'nope'),
    locale: fc.constantFrom('fr', 'ar', 'zz', 'en-US'),
    country: fc.constantFrom('DE', 'US', 'GB', 'XX'),
    tax_id: fc.constantFrom('DE123456789', 'GB000', ''),
    return_url: fc.constantFrom('https://shop.example/back', 'javascript:alert(1)'),
    origin: fc.constantFrom('https://shop.example', 'http://portal.test', 'https://evil.example'),
    make_default: fc.boolean(),
    enabled: fc.boolean(),
    cancel_at_period_end: fc.boolean(),
    at_period_end: fc.boolean(),
    expected_version: number,
    exp_month: number,
    exp_year: number,
    number: fc.constantFrom('4242424242424242', '4000000000000002', '1234'),
    cvc: fc.constantFrom('123', '1', 'abcd'),
    code: fc.constantFrom('000000', '123456', 'abc'),
    timestamp: fc.constantFrom('2026-01-15T12:00:00.000Z', 'yesterday', '9999-12-31T23:59:59Z', '-271821-04-20T00:00:00Z'),
    metadata: fc.dictionary(text, text, { maxKeys: 4 }),
    billing_details: fc.record(
      { name: text, address: fc.record({ line1: text, country: fc.constantFrom('DE', 'FR', 'XX'), postal_code: text }) },
      { requiredKeys: [] },
    ),
    branding: fc.record({ primary_color: fc.constantFrom('#4f46e5', 'red', '#GGGGGG'), logo_url: text }, { requiredKeys: [] }),
    portal_settings: fc.record(
      { sections: fc.dictionary(fc.constantFrom('benefits', 'usage', 'wallet', 'seats', 'orders'), fc.boolean()) },
      { requiredKeys: [] },
    ),
    properties: fc.dictionary(fc.constantFrom('prefix', 'activation_limit', 'expires_after_days', 'limit'), fc.oneof(text, number)),
    prices: fc.array(
      fc.record(
        {
          type: fc.constantFrom('recurring', 'one_time'),
          currency: fc.constantFrom('usd', 'eur'),
          unit_amount: number,
          interval: fc.constantFrom('month', 'year'),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 3 },
    ),
    items: fc.array(fc.record({ price_id: of('price'), quantity: number }, { requiredKeys: [] }), { maxLength: 3 }),
  };
}

const anyJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    number,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(text, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/**
 * A valid body for some routes, so one changed field at a time gets past validation and into
 * the services and the database (where an int4 overflow or an over-long indexed value would
 * be a 500). A route without an example is fuzzed by the generated bodies alone.
 */
function examples(): Record<string, () => Record<string, unknown>> {
  const first = (prefix: string) => ids.get(prefix)?.[0] ?? `${prefix}_none`;
  const n = () => Math.floor(Math.random() * 1e9);
  return {
    'POST /v1/customers': () => ({
      email: `fuzz${n()}@example.com`,
      name: 'Fuzz',
      external_id: `ext-${n()}`,
      metadata: { plan: 'pro', seats: 3 },
      billing_details: { name: 'Fuzz GmbH', address: { line1: 'Hauptstr. 1', city: 'Berlin', postal_code: '10115', country: 'DE' }, tax_id: 'DE123456789' },
      locale: 'de',
    }),
    'PATCH /v1/customers/:id': () => ({ name: 'Renamed', metadata: { k: 'v' }, billing_details: { company: 'Fuzz Ltd' } }),
    'PATCH /v1/customers/external/:externalId': () => ({ name: 'Renamed' }),
    'PATCH /portal/v1/me': () => ({
      name: 'Me',
      billing_details: { name: 'Me Inc', address: { line1: '1 Way', country: 'FR', postal_code: '75001', city: 'Paris' }, tax_id: 'FR40303265045' },
      locale: 'fr',
    }),
    'PATCH /portal/v1/orders/:id/invoice-details': () => ({
      name: 'Invoice Name',
      company: 'Co',
      address: { line1: '1 Way', country: 'DE' },
      tax_id: 'DE123456789',
    }),
    'POST /v1/products': () => ({
      name: 'Fuzz product',
      description: 'd',
      visibility: 'public',
      prices: [{ type: 'recurring', currency: 'usd', unit_amount: 1500, interval: 'month', interval_count: 1, included_units: 0 }],
    }),
    'PATCH /v1/products/:id': () => ({ name: 'Renamed product', description: 'x', archived: false }),
    'POST /v1/products/:id/prices': () => ({ type: 'recurring', model: 'per_seat', currency: 'eur', unit_amount: 700, interval: 'year', interval_count: 1 }),
    'POST /v1/subscriptions': () => ({
      customer_id: first('cus'),
      price_id: ids.get('price')![Math.floor(Math.random() * ids.get('price')!.length)],
      seats: 2,
      trial_days: 14,
    }),
    'POST /v1/subscriptions/:id/cancel': () => ({ mode: 'at_period_end', reason: 'too_expensive', comment: 'fuzz' }),
    'POST /portal/v1/subscriptions/:id/cancel': () => ({ mode: 'at_period_end', reason: 'too_expensive', comment: 'fuzz' }),
    'POST /portal/v1/subscriptions/:id/change-preview': () => ({ price_id: ids.get('price')![1] ?? first('price'), seats: 2, timing: 'now' }),
    'POST /portal/v1/subscriptions/:id/change': () => ({ price_id: ids.get('price')![1] ?? first('price'), seats: 2, timing: 'renewal' }),
    'POST /v1/wallet-credits': () => ({
      customer_id: first('cus'),
      amount: 500,
      currency: 'usd',
      kind: 'promotional',
      description: 'Fuzz credit',
      expires_at: '2027-01-01T00:00:00.000Z',
    }),
    'POST /v1/meters': () => ({ name: `Meter ${n()}`, event_name: 'api.call', aggregation: 'sum', property: 'units', filter: { region: 'eu' }, unit: 'calls' }),
    'POST /v1/events': () => ({
      events: [{ id: `e-${n()}`, customer_id: first('cus'), name: 'api.call', timestamp: '2026-01-15T11:00:00.000Z', properties: { units: 3, region: 'eu' } }],
    }),
    'POST /v1/orders': () => ({ customer_id: first('cus'), items: [{ price_id: first('price'), quantity: 1 }] }),
    'POST /v1/refunds': () => ({ order_id: first('ord'), amount: 100, destination: 'wallet', reason: 'fuzz' }),
    'POST /v1/benefits': () => ({ type: 'license_key', description: 'Fuzz key', properties: { prefix: 'FZ', activation_limit: 3, expires_after_days: 30 } }),
    'PATCH /v1/benefits/:id': () => ({ description: 'Renamed benefit', properties: { activation_limit: 5 } }),
    'POST /portal/v1/seats': () => ({ subscription_id: ids.get('sub')![1] ?? first('sub'), email: `seat${n()}@example.com` }),
    'PATCH /v1/organization': () => ({
      name: 'Fuzz Org',
      branding: { logo_url: 'https://shop.example/logo.png', primary_color: '#112233' },
      allowed_origins: ['https://shop.example'],
      portal_settings: { sections: { benefits: true } },
    }),
    'POST /v1/webhook-endpoints': () => ({ url: 'https://hooks.example.com/fuzz', events: ['order.paid'], enabled: true }),
    'PATCH /v1/webhook-endpoints/:id': () => ({ url: 'https://hooks.example.com/moved', events: ['customer.updated'], enabled: false }),
    'POST /v1/customer-sessions': () => ({ customer_id: first('cus'), return_url: 'https://shop.example/back' }),
    'POST /v1/license-keys/validate': () => ({ organization: shop.org.slug, key: 'FZ-AAAA-BBBB', activation_id: 'lka_x' }),
    'POST /v1/license-keys/activate': () => ({ organization: shop.org.slug, key: 'FZ-AAAA-BBBB', label: 'laptop' }),
    'POST /portal/v1/auth/request': () => ({ organization: shop.org.slug, email: subscriber.email, return_url: 'https://shop.example/back', locale: 'fr' }),
    'POST /portal/v1/auth/verify': () => ({ organization: shop.org.slug, email: subscriber.email, code: '123456' }),
    'POST /portal/v1/me/email-change': () => ({ email: `new${n()}@example.com` }),
    'POST /portal/v1/payment-methods/hosted-session': () => ({ origin: 'https://shop.example', make_default: true }),
    'POST /test-provider/setup-intents/:id/confirm': () => ({
      client_secret: 'tseti_x_secret_y',
      number: '4242 4242 4242 4242',
      exp_month: 12,
      exp_year: 2034,
      cvc: '123',
    }),
  };
}

/** Leaf paths of a JSON value: ['prices', 0, 'unit_amount'], … */
function leaves(value: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (value === null || typeof value !== 'object') return [path];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return entries.length ? [path, ...entries.flatMap(([k, v]) => leaves(v, [...path, k]))] : [path];
}

function changed(value: unknown, path: Array<string | number>, how: 'replace' | 'delete' | 'extra', replacement: unknown): unknown {
  if (path.length === 0) return how === 'replace' ? replacement : value;
  const copy: any = Array.isArray(value) ? [...value] : { ...(value as object) };
  const [head, ...rest] = path;
  if (rest.length === 0) {
    if (how === 'delete') Array.isArray(copy) ? copy.splice(head as number, 1) : delete copy[head!];
    else if (how === 'extra') copy[typeof head === 'number' ? copy.length : `${head}_extra`] = replacement;
    else copy[head!] = replacement;
  } else copy[head!] = changed(copy[head!], rest, how, replacement);
  return copy;
}

/** An example with one field replaced by something odd, removed, or joined by an extra one. */
function mutatedExample(make: () => Record<string, unknown>): fc.Arbitrary<{ text?: string; type?: string }> {
  const weird = fc.oneof(badText, number, text, anyJson, fc.constantFrom('x'.repeat(3000), 'x'.repeat(100_000), [], {}, null, true, '', ' ', -1, 0));
  return fc
    .record({ pick: fc.nat(), how: fc.constantFrom<'replace' | 'delete' | 'extra'>('replace', 'replace', 'replace', 'delete', 'extra'), value: weird })
    .map(({ pick, how, value }) => {
      const example = make();
      const paths = leaves(example);
      return { text: JSON.stringify(changed(example, paths[pick % paths.length]!, how, value)), type: 'application/json' };
    });
}

const deeply = (depth: number, inner: unknown): unknown => (depth === 0 ? inner : { a: [deeply(depth - 1, inner)] });

function bodyArb(): fc.Arbitrary<{ text?: string; type?: string }> {
  const good = goodValues();
  const fields = Object.keys(good);
  const field = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...fields) }, { weight: 1, arbitrary: text });
  const fieldValue = (name: string) =>
    fc.oneof(
      { weight: 3, arbitrary: Object.hasOwn(good, name) ? good[name]! : anyJson },
      { weight: 2, arbitrary: anyJson },
      { weight: 1, arbitrary: badText },
      { weight: 1, arbitrary: number },
    );
  const shaped = fc
    .uniqueArray(field, { maxLength: 7 })
    .chain((names) => fc.tuple(...names.map((n) => fieldValue(n))).map((values) => Object.fromEntries(names.map((n, i) => [n, values[i]]))));
  const json = fc.oneof(
    { weight: 8, arbitrary: shaped },
    { weight: 2, arbitrary: anyJson },
    { weight: 1, arbitrary: fc.constantFrom(deeply(40, 1), deeply(12, '\u0000'), [[[[[]]]]], { constructor: { prototype: {} } }) },
  );
  return fc.oneof(
    { weight: 10, arbitrary: json.map((value) => ({ text: JSON.stringify(value), type: 'application/json' })) },
    { weight: 1, arbitrary: fc.constant({}) },
    {
      weight: 1,
      arbitrary: fc.record({
        text: fc.constantFrom(
          '{"__proto__":{"admin":true}}',
          '{"a":',
          'not json',
          '{"a":1}{',
          '1e999999',
          '"\\ud800"',
          '{"email":"\\u0000"}',
          '[',
          '\u0000',
          '{"a":"\\uZZZZ"}',
        ),
        type: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream'),
      }),
    },
    { weight: 1, arbitrary: shaped.map((value) => ({ text: JSON.stringify(value), type: 'text/plain' })) },
  );
}

const QUERY_KEYS = [
  'limit',
  'starting_after',
  'email',
  'customer_id',
  'benefit_id',
  'type',
  'include',
  'include_revoked',
  'include_archived',
  'filename',
  'token',
  'grant',
  'expires',
  'sig',
  'status',
  'meter_id',
  'from',
  'to',
  'period',
  'locale',
];
const queryArb = fc.dictionary(
  fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...QUERY_KEYS) }, { weight: 1, arbitrary: text }),
  fc.oneof(text, number.map(String), fc.constantFrom('payment_methods', 'true', 'false', '0', '101')),
  { maxKeys: 4 },
);

interface Generated {
  params: Record<string, string>;
  query: Record<string, string>;
  body: { text?: string; type?: string };
  auth: 'good' | 'none' | 'bad';
  origin: string | undefined;
}

function requestArb(route: Route): fc.Arbitrary<Generated> {
  const names = [...route.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1]!);
  const params = names.length ? fc.tuple(...names.map(() => id())).map((values) => Object.fromEntries(names.map((n, i) => [n, values[i]!]))) : fc.constant({});
  const mutating = route.method !== 'GET' && route.method !== 'HEAD';
  const example = examples()[`${route.method} ${route.path}`];
  const body = !mutating
    ? fc.constant({})
    : example
      ? fc.oneof({ weight: 3, arbitrary: mutatedExample(example) }, { weight: 1, arbitrary: bodyArb() })
      : bodyArb();
  return fc.record({
    params,
    query: queryArb,
    body,
    auth: fc.constantFrom<Generated['auth']>('good', 'good', 'good', 'good', 'none', 'bad'),
    origin: fc.constantFrom(undefined, undefined, 'https://shop.example', 'https://evil.example'),
  });
}

function pathOf(route: Route, params: Record<string, string>): string {
  return route.path.replace(/:([A-Za-z_]+)(\{[^}]*\})?/g, (_, name: string) => encode(params[name] ?? 'x'));
}

// ── the state a refused request may not change ────────────────────────────────────────────

// Every table counts its changed rows (triggers on this test's own database): one small read
// per request tells whether a refused request changed anything.
let fingerprintMs = 0;
async function fingerprint(): Promise<Map<string, string>> {
  const started = performance.now();
  const { rows } = await sql<{ t: string; n: string }>`SELECT t, n::text AS n FROM fuzz_changes`.execute(t.database.db);
  fingerprintMs += performance.now() - started;
  return new Map(rows.map((r) => [r.t, r.n]));
}

async function countChanges(): Promise<void> {
  const { rows: tables } = await sql<{
    name: string;
  }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`.execute(t.database.db);
  await sql`CREATE TABLE fuzz_changes (t text PRIMARY KEY, n bigint NOT NULL)`.execute(t.database.db);
  await sql
    .raw(`CREATE FUNCTION fuzz_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      INSERT INTO fuzz_changes VALUES (TG_TABLE_NAME, 1) ON CONFLICT (t) DO UPDATE SET n = fuzz_changes.n + 1; RETURN NULL; END $$`)
    .execute(t.database.db);
  for (const { name } of tables) {
    await sql.raw(`CREATE TRIGGER fuzz_rows AFTER INSERT OR DELETE ON "${name}" FOR EACH ROW EXECUTE FUNCTION fuzz_count()`).execute(t.database.db);
    // An update that leaves the row as it was is no change.
    await sql
      .raw(`CREATE TRIGGER fuzz_updates AFTER UPDATE ON "${name}" FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION fuzz_count()`)
      .execute(t.database.db);
  }
}

before(async () => {
  t = await createTestContext();
  shop = await createShop(t);
  await t.request('PATCH', '/v1/organization', { token: shop.org.key, body: { allowed_origins: ['https://shop.example'] } });
  subscriber = await createSubscriber(t, shop, { name: 'Fuzzy Subscriber' });
  sessionToken = subscriber.token;
  await subscribe(t, shop, subscriber.id, shop.prices.basic);
  await subscribe(t, shop, subscriber.id, shop.prices.team, { seats: 3 });
  const key = shop.org.key;
  const made = async (path: string, body: object) => {
    const res = await t.request('POST', path, { token: key, body });
    assert.ok(res.status < 300, `${path}: ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const license = await made('/v1/benefits', { type: 'license_key', description: 'Fuzz license', properties: { prefix: 'FZ' } });
  await made('/v1/benefits', { type: 'download', description: 'Fuzz files' });
  await t.request('POST', `/v1/products/${shop.products.basic}/benefits/${license.id}`, { token: key });
  await made('/v1/meters', { name: 'API calls', event_name: 'api.call', aggregation: { type: 'count' } }).catch(() => undefined);
  await made('/v1/webhook-endpoints', { url: 'https://hooks.example.com/in', events: ['order.paid'] });
  for (const [table, prefix] of [
    ['customers', 'cus'],
    ['subscriptions', 'sub'],
    ['orders', 'ord'],
    ['products', 'prod'],
    ['prices', 'price'],
    ['meters', 'mtr'],
    ['benefits', 'ben'],
    ['benefit_grants', 'bgr'],
    ['customer_seats', 'seat'],
    ['payment_methods', 'pm'],
    ['webhook_endpoints', 'we'],
    ['benefit_files', 'file'],
  ] as const) {
    const { rows } = await sql.raw<{ id: string }>(`SELECT id FROM ${table} LIMIT 5`).execute(t.database.db);
    ids.set(
      prefix,
      rows.map((r) => r.id),
    );
  }
  await countChanges();
});
after(() => t.close());

describe('fuzzing every route', () => {
  test(`${RUNS} generated requests per route: never a 5xx, always {error: {code, message}}, no table changed by a refusal`, {
    timeout: 600_000,
  }, async (ctx) => {
    const routes = uniqueRoutes(t.app.routes);
    assert.ok(routes.length >= 100, `${routes.length} routes`);
    const failures: string[] = [];
    let requests = 0;
    const statuses = new Map<number, number>();
    const reachedHandler = new Set<string>();
    let before = await fingerprint();

    for (const [index, route] of routes.entries()) {
      await fc.assert(
        fc.asyncProperty(requestArb(route), async (g) => {
          const query = Object.entries(g.query)
            .map(([k, v]) => `${encode(k)}=${encode(v)}`)
            .join('&');
          const path = pathOf(route, g.params) + (query ? `?${query}` : '');
          const headers: Record<string, string> = { 'x-forwarded-for': `10.${(requests >> 16) & 255}.${(requests >> 8) & 255}.${requests & 255}` };
          const portal = route.path.startsWith('/portal/');
          if (g.auth === 'good') headers.authorization = `Bearer ${portal ? sessionToken : shop.org.key}`;
          if (g.auth === 'bad') headers.authorization = 'Bearer cps_x\u00ff';
          if (g.origin) headers.origin = g.origin;
          if (g.body.type) headers['content-type'] = g.body.type;
          const init: RequestInit = { method: route.method, headers, ...(g.body.text !== undefined ? { body: g.body.text } : {}) };
          requests += 1;
          let res: Response;
          try {
            res = await t.app.request(path, init);
          } catch (error) {
            failures.push(`${route.method} ${route.path}: the request threw ${(error as Error).message} (${path})`);
            return;
          }
          await t.background.drain();
          const body = await res.text();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const where = `${route.method} ${route.path} → ${res.status}`;
          const sent = `${route.method} ${path.slice(0, 200)} ${g.body.type ?? ''} ${(g.body.text ?? '').slice(0, 300)}`;
          if (res.status >= 500) failures.push(`${where}: ${body.slice(0, 300)}\n    sent: ${sent}`);
          const after = await fingerprint();
          if (res.status >= 400) {
            const html = (res.headers.get('content-type') ?? '').startsWith('text/html');
            if (!html) {
              let parsed: { error?: { code?: unknown; message?: unknown } } | undefined;
              try {
                parsed = JSON.parse(body);
              } catch {
                parsed = undefined;
              }
              if (typeof parsed?.error?.code !== 'string' || typeof parsed.error.message !== 'string')
                failures.push(`${where}: not {error: {code, message}}: ${body.slice(0, 200)}\n    sent: ${sent}`);
              else if (
                ![
                  'not_found',
                  'unauthenticated',
                  'invalid_api_key',
                  'session_expired',
                  'invalid_text',
                  'payload_too_large',
                  'unsupported_media_type',
                  'invalid_json',
                ].includes(parsed.error.code)
              )
                reachedHandler.add(`${route.method} ${route.path}`);
            }
            for (const [table, count] of after) {
              if (before.get(table) !== count && !(table in MAY_CHANGE_WHEN_REFUSED))
                failures.push(`${where}: a refused request changed ${table}\n    sent: ${sent}`);
            }
          } else reachedHandler.add(`${route.method} ${route.path}`);
          before = after;
          // A session the fuzzer signed out (or had revoked) is replaced, so the portal stays reachable.
          if (portal && res.status === 401 && g.auth === 'good') {
            sessionToken = (await t.app.services.auth.issueSession(shop.org.id, subscriber.id, null)).token;
            before = await fingerprint();
          }
        }),
        { numRuns: RUNS, seed: SEED + index, endOnFailure: true },
      );
    }
    ctx.diagnostic(`routes: ${routes.length}; requests: ${requests}; routes whose handler answered (past auth and the edge): ${reachedHandler.size}`);
    ctx.diagnostic(`time reading the change counts: ${Math.round(fingerprintMs)} ms`);
    ctx.diagnostic(
      `statuses: ${[...statuses]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ')}`,
    );
    assert.deepEqual([...new Set(failures)], []);
  });
});
