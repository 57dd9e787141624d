// The expiring-card email: a month before the default card stops working (the end of its expiry
// month), once per card per expiry, with a link to the portal's payment methods, in the
// customer's language; a card updated to a new expiry is told again before that one.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createShop, createSubscriber, type Shop } from '../../testing/billing.js';
import { createTestContext, type TestContext } from '../../testing/harness.js';

let t: TestContext;
let shop: Shop;

before(async () => {
  t = await createTestContext();
  shop = await createShop(t);
});
after(() => t.close());

const expiring = (email: string) => t.mail.to(email).filter((m) => m.subject.includes('expires soon') || m.subject.includes('expire bientôt'));

async function cardExpiring(month: number, year: number) {
  const c = await createSubscriber(t, shop);
  const [method] = await t.app.services.payments.listMethods(shop.org.id, c.id);
  await t.database.db.updateTable('payment_methods').set({ exp_month: month, exp_year: year }).where('id', '=', method!.id).execute();
  return { c, method: method! };
}

describe('expiring cards', () => {
  test('the default card expiring at the end of the month is emailed once, with the portal link', async () => {
    // A card valid through December 2026 (works until 2027-01-01): told from 1 December.
    t.clock.set('2026-11-20T08:00:00.000Z');
    const { c, method } = await cardExpiring(12, 2026);
    await t.runJobs();
    assert.equal(expiring(c.email).length, 0, 'more than a month before its end');

    t.clock.set('2026-12-01T08:00:00.000Z');
    await t.runJobs();
    const [mail] = expiring(c.email);
    assert.ok(mail, 'told a month before');
    assert.equal(mail.subject, 'Your card ending in 4242 expires soon');
    assert.match(mail.text, /Visa card ending in 4242 works until the end of December 2026/);
    assert.ok(mail.text.includes(`http://portal.test/${shop.org.slug}/portal#payment-methods`));

    t.clock.set('2026-12-15T08:00:00.000Z');
    await t.runJobs();
    await t.runJobs();
    assert.equal(expiring(c.email).length, 1, 'once per card per expiry');

    // The card updater brings a new expiry: told again a month before that one.
    await t.database.db.updateTable('payment_methods').set({ exp_month: 1, exp_year: 2027 }).where('id', '=', method.id).execute();
    t.clock.set('2027-01-05T08:00:00.000Z');
    await t.runJobs();
    assert.equal(expiring(c.email).length, 2);
  });

  test('a card that is not the default, already expired, or far off is not emailed; the email is in the customer’s language', async () => {
    t.clock.set('2026-12-10T08:00:00.000Z');
    const far = await cardExpiring(6, 2028);
    const gone = await cardExpiring(10, 2026);
    const other = await cardExpiring(12, 2026);
    await t.database.db.updateTable('payment_methods').set({ is_default: false }).where('id', '=', other.method.id).execute();
    const french = await cardExpiring(12, 2026);
    await t.database.db.updateTable('customers').set({ locale: 'fr' }).where('id', '=', french.c.id).execute();
    await t.runJobs();
    assert.equal(expiring(far.c.email).length, 0);
    assert.equal(expiring(gone.c.email).length, 0);
    assert.equal(expiring(other.c.email).length, 0);
    const [mail] = expiring(french.c.email);
    assert.equal(mail?.subject, 'Votre carte se terminant par 4242 expire bientôt');
    assert.match(mail!.text, /décembre 2026/);
  });
});
