import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { DB } from '../../db/schema.js';
import { Background } from '../../lib/background.js';
import { DAY, TestClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/logger.js';
import { createServices, type Services } from '../../services.js';
import type { TestProvider } from '../payments/test-provider.js';
import { walletRepository } from '../wallet/repository.js';
import { newId } from '../../lib/ids.js';

export const DEMO_SLUG = 'acme';

const DEMO_CUSTOMERS = [
  {
    email: 'alice@example.com',
    name: 'Alice Martin',
    external_id: 'user_1001',
    billing_details: { company: 'Martin & Co', address: { line1: '12 Rue de Rivoli', city: 'Paris', postal_code: '75001', country: 'FR' } },
  },
  { email: 'bob@example.com', name: 'Bob Chen', external_id: 'user_1002', billing_details: { address: { city: 'Austin', country: 'US' } } },
  {
    email: 'zoe@example.com',
    name: 'Zoë Łódź',
    external_id: 'user_1003',
    billing_details: { company: 'Łódź Studio', tax_id: 'PL1234567890', address: { city: 'Łódź', country: 'PL' } },
  },
  { email: 'carol@example.com', name: 'Carol Smith', external_id: 'user_1004', billing_details: { address: { city: 'Leeds', country: 'GB' } } },
  { email: 'dave@example.com', name: 'Dave Okafor', external_id: 'user_1005', billing_details: { address: { city: 'Lagos', country: 'NG' } } },
];

/**
 * The demo organization, its customers, a catalog and subscriptions in every state the
 * portal shows: active with months of history, trialing, past due, canceling, canceled.
 * Idempotent: run on every `npm start`, it adds what is missing and leaves the rest alone.
 * The demo secret key is replaced each time, since a key is only ever shown once.
 */
export async function seedDemo(services: Services, config: Config, db?: Kysely<DB>) {
  const origin = new URL(config.publicUrl).origin;
  let org = await services.organizations.bySlug(DEMO_SLUG).catch(() => undefined);
  if (!org) {
    org = await services.organizations.create({ slug: DEMO_SLUG, name: 'Acme Cloud', allowed_origins: [origin] });
    org = await services.organizations.update(org, {
      branding: { primary_color: '#4f46e5', logo_url: null },
      portal_settings: { actions: { pause: true } },
      billing_settings: {
        seller_country: 'FR',
        seller_details: {
          company: 'Acme Cloud SAS',
          address_lines: ['8 Rue du Faubourg', '75010 Paris'],
          tax_id: 'FR12345678901',
          email: 'billing@acme.example',
        },
        tax_rates: { FR: 20, DE: 19, PL: 23 },
        retention_offer: { percent_off: 30, periods: 3 },
      },
    });
  } else if (!org.allowed_origins.includes(origin)) {
    org = await services.organizations.update(org, { allowed_origins: [...org.allowed_origins, origin] });
  }
  for (const customer of DEMO_CUSTOMERS) {
    const existing = await services.customers.findByEmail(org.id, customer.email);
    if (!existing) await services.customers.create(org.id, customer);
  }
  if (db) await seedBilling(db, config, org.id);
  const secretKey = await services.organizations.rotateSecretKey(org.id, 'demo');
  return { slug: org.slug, emails: DEMO_CUSTOMERS.map((c) => c.email), secretKey };
}

/**
 * Subscriptions with history are made by running the real engine on a clock that starts
 * 95 days ago and moves forward, so every order, invoice number and renewal is genuine.
 * No email is sent for the past.
 */
async function seedBilling(db: Kysely<DB>, config: Config, organizationId: string) {
  const clock = new TestClock(new Date(Date.now() - 95 * DAY));
  const background = new Background(silentLogger);
  const s = createServices({ db, config, clock, mailer: { kind: 'outbox', send: async () => {} }, background, logger: silentLogger });
  const existing = await s.catalog.list(organizationId, { limit: 1 });
  if (existing.length > 0) return;
  // The demo's customers are customers since their history begins (the clock's start), not since
  // this run: "Customer since" beside their first invoices.
  await db
    .updateTable('customers')
    .set({ created_at: clock.now() })
    .where('organization_id', '=', organizationId)
    .where('created_at', '>', clock.now())
    .execute();
  const { prices: starter } = await s.catalog.createProduct(organizationId, {
    name: 'Starter',
    description: 'For side projects: 3 projects, community support.',
    visibility: 'public',
    prices: [{ type: 'recurring', model: 'flat', currency: 'USD', unit_amount: 900, interval: 'month', interval_count: 1, included_units: 0 }],
  });
  const { prices: pro } = await s.catalog.createProduct(organizationId, {
    name: 'Pro',
    description: 'Unlimited projects, priority support, advanced analytics.',
    visibility: 'public',
    prices: [
      { type: 'recurring', model: 'flat', currency: 'USD', unit_amount: 2900, interval: 'month', interval_count: 1, included_units: 0 },
      { type: 'recurring', model: 'flat', currency: 'USD', unit_amount: 29000, interval: 'year', interval_count: 1, included_units: 0 },
    ],
  });
  const { prices: team } = await s.catalog.createProduct(organizationId, {
    name: 'Team',
    description: 'Per-seat pricing with shared workspaces and SSO.',
    visibility: 'public',
    prices: [{ type: 'recurring', model: 'per_seat', currency: 'USD', unit_amount: 800, interval: 'month', interval_count: 1, included_units: 0 }],
  });
  const org = await s.organizations.byId(organizationId);
  await seedBenefits(s, organizationId, pro[0]!.product_id, team[0]!.product_id);
  const customer = async (email: string) => (await s.customers.findByEmail(organizationId, email))!;
  const card = async (email: string, number: string) => {
    const c = await customer(email);
    const setup = await s.payments.startSetup(c);
    await (s.payments.provider as TestProvider).confirmSetupIntent(setup.setup_intent_id, setup.client_secret, {
      number,
      exp_month: 8,
      exp_year: new Date().getUTCFullYear() + 3,
      cvc: '123',
    });
    await s.payments.completeSetup(c, setup.setup_intent_id, true);
    return c;
  };
  const alice = await card('alice@example.com', '4242424242424242');
  const zoe = await card('zoe@example.com', '5555555555554444');
  const carol = await card('carol@example.com', '4242424242424242');
  const dave = await card('dave@example.com', '4242424242424242');
  const bob = await card('bob@example.com', '4242424242424242');

  await s.subscriptions.create(org, { customer_id: alice.id, price_id: pro[0]!.id });
  await s.subscriptions.create(org, { customer_id: alice.id, price_id: team[0]!.id, seats: 3 });
  await s.subscriptions.create(org, { customer_id: zoe.id, price_id: pro[0]!.id });
  const carolSub = await s.subscriptions.create(org, { customer_id: carol.id, price_id: starter[0]!.id });
  const daveSub = await s.subscriptions.create(org, { customer_id: dave.id, price_id: starter[0]!.id });
  // Three months of renewals, a day at a time, up to yesterday.
  for (let day = 1; day <= 94; day++) {
    clock.advance(DAY);
    if (day === 40)
      await s.subscriptions.cancel(org, dave.id, daveSub.id, { mode: 'immediately', reason: 'switched_service', comment: 'Moved to another tool.' });
    if (day === 70) await card('zoe@example.com', '4000000000000341'); // her new card starts failing
    await s.jobs.runOnce();
  }
  await s.subscriptions.cancel(org, carol.id, carolSub.id, { mode: 'at_period_end', reason: 'unused' });
  await s.subscriptions.create(org, { customer_id: bob.id, price_id: pro[0]!.id, trial_days: 14 });
  await seedUsageAndWallet(s, db, org.id, alice.id, clock);
  await background.drain();
}

/** What the benefits view shows: a license key and a download with Pro, a Discord invite with Team. */
async function seedBenefits(s: Services, organizationId: string, proId: string, teamId: string) {
  const license = await s.benefits.create(organizationId, {
    type: 'license_key',
    description: 'Acme Desktop license',
    properties: { prefix: 'ACME', activation_limit: 3, expires_after_days: null },
  });
  const download = await s.benefits.create(organizationId, { type: 'download', description: 'Acme Desktop for macOS, Windows and Linux', properties: {} });
  const notes = 'Acme Desktop 2.4\n\nThanks for being a Pro customer. Install, then paste your license key from the portal.\n';
  await s.benefits.upload(organizationId, download.id, {
    filename: 'acme-desktop-2.4-release-notes.txt',
    contentType: 'text/plain',
    length: undefined,
    body: new Blob([notes]).stream(),
  });
  const discord = await s.benefits.create(organizationId, {
    type: 'discord',
    description: 'Team Discord server',
    properties: { invite_url: 'https://discord.gg/acme-demo' },
  });
  await s.benefits.attach(organizationId, proId, license.id);
  await s.benefits.attach(organizationId, proId, download.id);
  await s.benefits.attach(organizationId, teamId, discord.id);
}

/**
 * A metered API add-on for Alice with three weeks of requests (so the usage view has a
 * chart), and a promotional credit in her wallet.
 */
async function seedUsageAndWallet(s: Services, db: Kysely<DB>, organizationId: string, customerId: string, clock: TestClock) {
  const meter = await s.usage.createMeter(organizationId, { name: 'API requests', event_name: 'api.request', aggregation: 'count', unit: 'requests' });
  const { prices } = await s.catalog.createProduct(organizationId, {
    name: 'API add-on',
    description: '1,000 requests a month included, then 1¢ per request.',
    visibility: 'private',
    prices: [
      { type: 'recurring', model: 'metered', currency: 'USD', unit_amount: 1, interval: 'month', interval_count: 1, included_units: 1000, meter_id: meter.id },
    ],
  });
  const org = await s.organizations.byId(organizationId);
  const end = clock.now();
  clock.advance(-21 * DAY);
  await s.subscriptions.create(org, { customer_id: customerId, price_id: prices[0]!.id });
  const events = [];
  for (let day = 0; day < 21; day++) {
    const perDay = 30 + Math.round(25 * Math.sin(day / 2) ** 2) + (day % 7 === 5 ? 40 : 0);
    for (let i = 0; i < perDay; i++) {
      const at = new Date(clock.now().getTime() + day * DAY + Math.floor((i / perDay) * DAY));
      events.push({
        id: `demo-api-${day}-${i}`,
        customer_id: customerId,
        name: 'api.request',
        timestamp: at.toISOString(),
        properties: { path: i % 3 ? '/v1/projects' : '/v1/deploys' },
      });
    }
  }
  clock.set(end);
  for (let i = 0; i < events.length; i += 1000) await s.usage.ingest(organizationId, events.slice(i, i + 1000));
  const now = clock.now();
  await walletRepository(db).insert({
    id: newId('wtx', now.getTime()),
    organization_id: organizationId,
    customer_id: customerId,
    currency: 'USD',
    amount: 1500,
    kind: 'promotional',
    description: 'Welcome credit',
    expires_at: new Date(now.getTime() + 90 * DAY),
    now,
  });
}
