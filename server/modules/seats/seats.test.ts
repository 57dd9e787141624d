import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { portalBenefitList, portalSeatList, seatClaimResult } from '../../../src/schemas/benefits.js';
import { DAY, SECOND } from '../../lib/clock.js';
import { createShop, createSubscriber, subscribe, type Shop } from '../../testing/billing.js';
import { createTestContext, type TestContext } from '../../testing/harness.js';

let t: TestContext;
let shop: Shop;
let invitees = 0;

before(async () => {
  t = await createTestContext();
  shop = await createShop(t);
  // The Team plan (per seat) comes with a Discord invite and a license key per seat holder.
  for (const body of [
    { type: 'discord', description: 'Team Discord', properties: { invite_url: 'https://discord.gg/team' } },
    { type: 'license_key', description: 'Team license' },
  ]) {
    const b = await t.request('POST', '/v1/benefits', { token: shop.org.key, body });
    assert.equal(b.status, 201);
    await t.request('POST', `/v1/products/${shop.products.team}/benefits/${b.body.id}`, { token: shop.org.key });
  }
});
after(() => t.close());

const newEmail = () => `teammate${++invitees}@example.com`;

async function team(seats: number) {
  t.clock.set('2026-01-15T12:00:00.000Z');
  const owner = await createSubscriber(t, shop);
  const sub = await subscribe(t, shop, owner.id, shop.prices.team, { seats });
  return { owner, sub };
}

const assign = (token: string, subscriptionId: string, email: string) =>
  t.request('POST', '/portal/v1/seats', { token, body: { subscription_id: subscriptionId, email } });

function claimToken(email: string): string {
  const mail = t.mail.to(email).at(-1);
  const token = mail && /cp_seat=([\w-]+)/.exec(mail.text)?.[1];
  if (!token) throw new Error(`no seat invitation was sent to ${email}`);
  return token;
}

async function claim(token: string) {
  const res = await t.request('POST', '/portal/v1/seats/claim', { body: { token }, headers: { 'x-forwarded-for': `10.9.0.${invitees % 250}` } });
  return res;
}

async function events(type: string) {
  const rows = await t.database.db
    .selectFrom('webhook_events')
    .selectAll()
    .where('organization_id', '=', shop.org.id)
    .where('type', '=', type)
    .orderBy('id')
    .execute();
  return rows.map((r) => (r.payload as unknown as { data: Record<string, any> }).data);
}

async function benefitsOf(token: string) {
  const res = await t.request('GET', '/portal/v1/benefits', { token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return portalBenefitList.parse(res.body).data;
}

describe('seats', () => {
  test('seats up to the purchased count; one more is refused with a clear 409', async () => {
    const { owner, sub } = await team(2);
    const a = await assign(owner.token, sub.id, newEmail());
    assert.equal(a.status, 201, JSON.stringify(a.body));
    assert.equal(a.body.status, 'pending');
    const b = await assign(owner.token, sub.id, newEmail());
    assert.equal(b.status, 201);
    const c = await assign(owner.token, sub.id, newEmail());
    assert.equal(c.status, 409);
    assert.equal(c.body.error.code, 'seat_limit_reached');
    assert.match(c.body.error.message, /All 2 seats are assigned\. Revoke a seat or buy more seats first\./);
    const same = await assign(owner.token, sub.id, a.body.email);
    assert.equal(same.status, 409);

    const list = await t.request('GET', `/portal/v1/seats?subscription_id=${sub.id}`, { token: owner.token });
    assert.equal(list.status, 200);
    const [group] = portalSeatList.parse(list.body).data;
    assert.deepEqual(
      {
        purchased: group!.seats_purchased,
        used: group!.seats_used,
        available: group!.seats_available,
        can_assign: group!.can_assign,
        product: group!.product.name,
      },
      { purchased: 2, used: 2, available: 0, can_assign: false, product: 'Team' },
    );
    assert.deepEqual(
      group!.seats.map((s) => s.status),
      ['pending', 'pending'],
    );

    // The whole list without a subscription id: every per-seat subscription of the customer.
    const all = await t.request('GET', '/portal/v1/seats', { token: owner.token });
    assert.deepEqual(
      all.body.data.map((g: { subscription_id: string }) => g.subscription_id),
      [sub.id],
    );

    // Revoking frees a seat.
    const revoked = await t.request('DELETE', `/portal/v1/seats/${a.body.id}`, { token: owner.token });
    assert.equal(revoked.status, 200);
    assert.equal(revoked.body.status, 'revoked');
    assert.equal((await assign(owner.token, sub.id, a.body.email)).status, 201, 'a revoked email can be invited again');
  });

  test('the invitee claims the seat from the email, is signed in, and sees only the seat’s benefits', async () => {
    const { owner, sub } = await team(3);
    const email = newEmail();
    const seat = await assign(owner.token, sub.id, email);
    assert.equal(seat.status, 201);
    const mail = t.mail.to(email).at(-1)!;
    assert.match(mail.text, new RegExp(`http://portal\\.test/${shop.org.slug}/portal\\?cp_seat=`));
    const assigned = (await events('customer_seat.assigned')).find((e) => e.id === seat.body.id)!;
    assert.equal(assigned.email, email);
    assert.equal(assigned.owner_customer_id, owner.id);
    assert.equal(assigned.invitation, null, 'the token is only in the email');

    const res = await claim(claimToken(email));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const session = seatClaimResult.parse(res.body);
    assert.equal(session.seat.status, 'claimed');
    assert.match(session.token, /^cps_/);

    const me = await t.request('GET', '/portal/v1/me', { token: session.token });
    assert.equal(me.body.email, email, 'a customer of the organization with the invited email');
    const benefits = await benefitsOf(session.token);
    assert.deepEqual(benefits.map((b) => b.description).sort(), ['Team Discord', 'Team license']);
    assert.equal((await t.request('GET', '/portal/v1/subscriptions', { token: session.token })).body.data.length, 0);
    assert.equal((await t.request('GET', '/portal/v1/orders', { token: session.token })).body.data.length, 0);
    assert.equal((await t.request('GET', '/portal/v1/seats', { token: session.token })).body.data.length, 0, 'a seat holder manages no seats');

    const claimed = (await events('customer_seat.claimed')).find((e) => e.id === seat.body.id)!;
    assert.equal(claimed.customer_id, me.body.id);

    // The seat holder's license key is their own, not the owner's.
    const ownerKeys = (await benefitsOf(owner.token)).flatMap((b) => (b.type === 'license_key' ? [b.license_key.key] : []));
    const holderKeys = benefits.flatMap((b) => (b.type === 'license_key' ? [b.license_key.key] : []));
    assert.equal(ownerKeys.length, 1);
    assert.notEqual(ownerKeys[0], holderKeys[0]);

    // A link works once.
    const again = await claim(claimToken(email));
    assert.equal(again.status, 400);
    assert.equal(again.body.error.code, 'seat_invitation_invalid');
  });

  test('a seat holder sees whose team and which plan they joined, and none of the owner’s billing, whatever ids they send', async () => {
    t.clock.set('2026-01-15T12:00:00.000Z');
    const owner = await createSubscriber(t, shop, { name: 'Owner Person', billing_details: { company: 'Acme <b>Labs</b>' } });
    const sub = await subscribe(t, shop, owner.id, shop.prices.team, { seats: 2 });
    const email = newEmail();
    const seat = await assign(owner.token, sub.id, email);
    const holder = (await claim(claimToken(email))).body.token as string;

    const overview = await t.request('GET', '/portal/v1/overview', { token: holder });
    assert.equal(overview.status, 200, JSON.stringify(overview.body));
    assert.equal(overview.headers.get('cp-portal-scope'), 'seat', 'a team member without billing of their own');
    assert.equal(overview.body.memberships.length, 1);
    const [membership] = overview.body.memberships;
    assert.deepEqual(Object.keys(membership).sort(), ['claimed_at', 'owner', 'plan', 'seat_id', 'subscription_id']);
    assert.deepEqual(
      { seat_id: membership.seat_id, subscription_id: membership.subscription_id, plan: membership.plan, owner: membership.owner },
      { seat_id: seat.body.id, subscription_id: sub.id, plan: 'Team', owner: 'Acme <b>Labs</b>' },
      'the owner by their company on invoices, as written (the widget escapes it)',
    );
    assert.deepEqual([overview.body.subscriptions, overview.body.recent_orders, overview.body.wallet.balances], [[], [], []]);
    const ownerOrders = (await t.request('GET', '/portal/v1/orders', { token: owner.token })).body.data as Array<{ id: string; invoice_number: string }>;
    assert.equal(ownerOrders.length, 1);
    const text = JSON.stringify(overview.body);
    for (const secret of [owner.email, owner.id, ownerOrders[0]!.id, ownerOrders[0]!.invoice_number, '4242', 'Owner Person']) {
      assert.ok(!text.includes(secret), `the overview does not carry the owner's ${secret}`);
    }
    assert.equal((await t.request('GET', '/portal/v1/me', { token: holder })).headers.get('cp-portal-scope'), 'seat');

    // The owner's things, asked for by id: not found, as another customer's are.
    const asked: Array<[string, string, object?]> = [
      ['GET', `/portal/v1/subscriptions/${sub.id}`],
      ['POST', `/portal/v1/subscriptions/${sub.id}/change-preview`, { seats: 3 }],
      ['POST', `/portal/v1/subscriptions/${sub.id}/cancel`, { mode: 'immediately' }],
      ['GET', `/portal/v1/orders/${ownerOrders[0]!.id}`],
      ['GET', `/portal/v1/orders/${ownerOrders[0]!.id}/invoice.pdf`],
      ['GET', `/portal/v1/seats?subscription_id=${sub.id}`],
      ['POST', `/portal/v1/seats/${seat.body.id}/resend`],
      ['DELETE', `/portal/v1/seats/${seat.body.id}`],
    ];
    for (const [method, path, body] of asked) {
      const res = await t.request(method, path, { token: holder, ...(body ? { body } : {}) });
      assert.equal(res.status, 404, `${method} ${path}: ${JSON.stringify(res.body)}`);
    }
    for (const path of ['/portal/v1/subscriptions', '/portal/v1/orders', '/portal/v1/payment-methods', '/portal/v1/seats']) {
      const res = await t.request('GET', path, { token: holder });
      assert.equal(res.status, 200, path);
      assert.deepEqual(res.body.data, [], `${path} lists nothing of the owner's`);
    }
    assert.equal(
      (await t.request('GET', `/portal/v1/subscriptions/${sub.id}`, { token: owner.token })).body.status,
      'active',
      'the owner’s subscription is untouched',
    );

    // The owner's own portal: full scope, no memberships.
    const mine = await t.request('GET', '/portal/v1/overview', { token: owner.token });
    assert.equal(mine.headers.get('cp-portal-scope'), 'full');
    assert.deepEqual(mine.body.memberships, []);

    // With a subscription of their own, everything applies to the seat holder; the team still shows.
    const holderId = (await t.request('GET', '/portal/v1/me', { token: holder })).body.id as string;
    await t.addCard(shop.org.id, holderId, '4242424242424242');
    await subscribe(t, shop, holderId, shop.prices.basic);
    t.clock.advance(3 * SECOND);
    const both = await t.request('GET', '/portal/v1/overview', { token: holder });
    assert.equal(both.headers.get('cp-portal-scope'), 'full');
    assert.equal(both.body.subscriptions.length, 1);
    assert.deepEqual(
      both.body.memberships.map((m: { plan: string }) => m.plan),
      ['Team'],
    );

    // A revoked seat is no team any more.
    await t.request('DELETE', `/portal/v1/seats/${seat.body.id}`, { token: owner.token });
    assert.deepEqual((await t.request('GET', '/portal/v1/overview', { token: holder })).body.memberships, []);
  });

  test('an invitee who is already a customer is matched to that customer', async () => {
    const { owner, sub } = await team(2);
    const existing = await createSubscriber(t, shop);
    await assign(owner.token, sub.id, existing.email);
    const res = await claim(claimToken(existing.email));
    assert.equal(res.status, 200);
    const me = await t.request('GET', '/portal/v1/me', { token: res.body.token });
    assert.equal(me.body.id, existing.id);
    assert.equal((await benefitsOf(existing.token)).length, 2);
  });

  test('a revoked seat revokes the invitee’s benefits; its license key stops validating', async () => {
    const { owner, sub } = await team(2);
    const email = newEmail();
    const seat = await assign(owner.token, sub.id, email);
    const holder = (await claim(claimToken(email))).body.token as string;
    const key = (await benefitsOf(holder)).flatMap((b) => (b.type === 'license_key' ? [b.license_key.key!] : []))[0]!;
    const valid = await t.request('POST', '/v1/license-keys/validate', { body: { organization: shop.org.slug, key } });
    assert.equal(valid.body.valid, true);

    const revoked = await t.request('DELETE', `/portal/v1/seats/${seat.body.id}`, { token: owner.token });
    assert.equal(revoked.status, 200);
    assert.deepEqual(await benefitsOf(holder), []);
    const after = await t.request('POST', '/v1/license-keys/validate', { body: { organization: shop.org.slug, key } });
    assert.deepEqual({ valid: after.body.valid, status: after.body.status }, { valid: false, status: 'revoked' });
    assert.ok((await events('customer_seat.revoked')).some((e) => e.id === seat.body.id));
    assert.equal((await benefitsOf(owner.token)).length, 2, 'the owner keeps theirs');
    const twice = await t.request('DELETE', `/portal/v1/seats/${seat.body.id}`, { token: owner.token });
    assert.equal(twice.status, 409);
  });

  test('when the owner’s subscription ends, seat holders lose the benefits too', async () => {
    const { owner, sub } = await team(2);
    const email = newEmail();
    await assign(owner.token, sub.id, email);
    const holder = (await claim(claimToken(email))).body.token as string;
    assert.equal((await benefitsOf(holder)).length, 2);
    const cancel = await t.request('POST', `/portal/v1/subscriptions/${sub.id}/cancel`, { token: owner.token, body: { mode: 'immediately' } });
    assert.equal(cancel.status, 200, JSON.stringify(cancel.body));
    assert.deepEqual(await benefitsOf(holder), []);
  });

  test('seat_invitations: none sends no email but still fires customer_seat.assigned, with the claim token', async () => {
    const quiet = await createShop(t, { billing_settings: { seat_invitations: 'none' } });
    const owner = await createSubscriber(t, quiet);
    const sub = await subscribe(t, quiet, owner.id, quiet.prices.team, { seats: 2 });
    const email = newEmail();
    const seat = await assign(owner.token, sub.id, email);
    assert.equal(seat.status, 201);
    assert.equal(t.mail.to(email).length, 0, 'no email');
    const rows = await t.database.db
      .selectFrom('webhook_events')
      .selectAll()
      .where('organization_id', '=', quiet.org.id)
      .where('type', '=', 'customer_seat.assigned')
      .execute();
    assert.equal(rows.length, 1);
    const data = (rows[0]!.payload as unknown as { data: { id: string; email: string; invitation: { token: string; claim_url: string } } }).data;
    assert.equal(data.id, seat.body.id);
    assert.equal(data.email, email);
    assert.match(data.invitation.claim_url, new RegExp(`/${quiet.org.slug}/portal\\?cp_seat=${data.invitation.token}$`));

    const resent = await t.request('POST', `/portal/v1/seats/${seat.body.id}/resend`, { token: owner.token });
    assert.equal(resent.status, 200);
    assert.equal(t.mail.to(email).length, 0, 'still no email on resend');
    const events2 = await t.database.db
      .selectFrom('webhook_events')
      .selectAll()
      .where('organization_id', '=', quiet.org.id)
      .where('type', '=', 'customer_seat.assigned')
      .orderBy('id')
      .execute();
    const second = (events2[1]!.payload as unknown as { data: { resent: boolean; invitation: { token: string } } }).data;
    assert.equal(second.resent, true);
    assert.equal((await claim(data.invitation.token)).status, 400, 'the resend replaced the first token');
    const claimed = await claim(second.invitation.token);
    assert.equal(claimed.status, 200, JSON.stringify(claimed.body));
  });

  test('resend makes a new link; an expired invitation is refused', async () => {
    const { owner, sub } = await team(2);
    const email = newEmail();
    const seat = await assign(owner.token, sub.id, email);
    const first = claimToken(email);
    const resent = await t.request('POST', `/portal/v1/seats/${seat.body.id}/resend`, { token: owner.token });
    assert.equal(resent.status, 200);
    const second = claimToken(email);
    assert.notEqual(first, second);
    assert.equal((await claim(first)).status, 400);
    t.clock.advance(14 * DAY + SECOND);
    const expired = await claim(second);
    assert.equal(expired.status, 400);
    assert.equal(expired.body.error.code, 'seat_invitation_expired');
  });

  test('the seat count cannot go below the seats assigned', async () => {
    const { owner, sub } = await team(3);
    const a = await assign(owner.token, sub.id, newEmail());
    await assign(owner.token, sub.id, newEmail());
    const down = await t.request('POST', `/portal/v1/subscriptions/${sub.id}/change`, { token: owner.token, body: { seats: 1 } });
    assert.equal(down.status, 409);
    assert.equal(down.body.error.code, 'seats_in_use');
    assert.match(down.body.error.message, /2 seats are assigned\. Revoke 1 of them before going down to 1\./);
    const preview = await t.request('POST', `/portal/v1/subscriptions/${sub.id}/change-preview`, { token: owner.token, body: { seats: 1 } });
    assert.equal(preview.status, 409);
    assert.equal(
      (await t.request('POST', `/portal/v1/subscriptions/${sub.id}/change`, { token: owner.token, body: { seats: 2 } })).status,
      200,
      'down to the assigned count is fine',
    );
    await t.request('DELETE', `/portal/v1/seats/${a.body.id}`, { token: owner.token });
    const ok = await t.request('POST', `/portal/v1/subscriptions/${sub.id}/change`, { token: owner.token, body: { seats: 1 } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });

  test('only the owner manages a subscription’s seats; other organizations see nothing', async () => {
    const { owner, sub } = await team(2);
    const seat = await assign(owner.token, sub.id, newEmail());
    const other = await createSubscriber(t, shop);
    assert.equal((await t.request('GET', `/portal/v1/seats?subscription_id=${sub.id}`, { token: other.token })).status, 404);
    assert.equal((await assign(other.token, sub.id, newEmail())).status, 404);
    assert.equal((await t.request('DELETE', `/portal/v1/seats/${seat.body.id}`, { token: other.token })).status, 404);
    assert.equal((await t.request('POST', `/portal/v1/seats/${seat.body.id}/resend`, { token: other.token })).status, 404);

    const merchant = await t.request('GET', `/v1/seats?subscription_id=${sub.id}`, { token: shop.org.key });
    assert.equal(merchant.status, 200);
    assert.deepEqual(
      merchant.body.data.map((s: { id: string }) => s.id),
      [seat.body.id],
    );
    const elsewhere = await createShop(t);
    assert.equal((await t.request('GET', `/v1/seats?subscription_id=${sub.id}`, { token: elsewhere.org.key })).body.data.length, 0);
    const foreignOwner = await createSubscriber(t, elsewhere);
    assert.equal((await assign(foreignOwner.token, sub.id, newEmail())).status, 404);
  });

  test('bad input is a clear 4xx', async () => {
    const { owner, sub } = await team(2);
    const basic = await subscribe(t, shop, owner.id, shop.prices.basic);
    const notPerSeat = await assign(owner.token, basic.id, newEmail());
    assert.equal(notPerSeat.status, 400);
    assert.equal(notPerSeat.body.error.code, 'seats_not_supported');
    const badEmail = await assign(owner.token, sub.id, 'not-an-email');
    assert.equal(badEmail.status, 400);
    assert.equal(badEmail.body.error.code, 'validation_error');
    assert.equal((await t.request('POST', '/portal/v1/seats/claim', { body: {} })).status, 400);
    assert.equal((await claim('cpseat_nope')).status, 400);
  });

  test('a disabled seats section is refused by the API, the claim included', async () => {
    const closed = await createShop(t);
    const owner = await createSubscriber(t, closed);
    const sub = await subscribe(t, closed, owner.id, closed.prices.team, { seats: 2 });
    const email = newEmail();
    assert.equal((await assign(owner.token, sub.id, email)).status, 201);
    const token = /cp_seat=([\w-]+)/.exec(t.mail.to(email).at(-1)!.text)![1]!;
    const off = await t.request('PATCH', '/v1/organization', { token: closed.org.key, body: { portal_settings: { sections: { seats: false } } } });
    assert.equal(off.status, 200);
    const session = await t.signIn(closed.org.slug, owner.email);
    for (const res of [await t.request('GET', '/portal/v1/seats', { token: session }), await assign(session, sub.id, newEmail()), await claim(token)]) {
      assert.equal(res.status, 403);
      assert.equal(res.body.error.code, 'section_disabled');
    }
  });
});
