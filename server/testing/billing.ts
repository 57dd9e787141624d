// A shop for billing tests: an organization with a catalog and a signed-in customer with a card.
import type { TestContext } from './harness.js';

export interface Shop {
  org: { id: string; slug: string; key: string };
  prices: { basic: string; pro: string; team: string; annual: string; basicEur: string };
  products: { basic: string; pro: string; team: string };
}

let shops = 0;

export async function createShop(t: TestContext, settings: Record<string, unknown> = {}): Promise<Shop> {
  shops += 1;
  const org = await t.createOrg(`shop-${shops}`);
  if (Object.keys(settings).length) {
    const res = await t.request('PATCH', '/v1/organization', { token: org.key, body: settings });
    if (res.status !== 200) throw new Error(`settings: ${JSON.stringify(res.body)}`);
  }
  const product = async (name: string, prices: object[], visibility = 'public') => {
    const res = await t.request('POST', '/v1/products', { token: org.key, body: { name, visibility, prices } });
    if (res.status !== 201) throw new Error(`product: ${JSON.stringify(res.body)}`);
    return res.body as { id: string; prices: Array<{ id: string }> };
  };
  const basic = await product('Basic', [
    { type: 'recurring', currency: 'usd', unit_amount: 1000, interval: 'month' },
    { type: 'recurring', currency: 'eur', unit_amount: 900, interval: 'month' },
  ]);
  const pro = await product('Pro', [
    { type: 'recurring', currency: 'usd', unit_amount: 3000, interval: 'month' },
    { type: 'recurring', currency: 'usd', unit_amount: 30000, interval: 'year' },
  ]);
  const team = await product('Team', [{ type: 'recurring', model: 'per_seat', currency: 'usd', unit_amount: 500, interval: 'month' }]);
  return {
    org,
    prices: { basic: basic.prices[0]!.id, basicEur: basic.prices[1]!.id, pro: pro.prices[0]!.id, annual: pro.prices[1]!.id, team: team.prices[0]!.id },
    products: { basic: basic.id, pro: pro.id, team: team.id },
  };
}

let customers = 0;

/** A customer with a card (4242… unless told otherwise) and a portal session. */
export async function createSubscriber(t: TestContext, shop: Shop, options: { card?: string | null; name?: string; billing_details?: object } = {}) {
  customers += 1;
  const email = `buyer${customers}@example.com`;
  const res = await t.request('POST', '/v1/customers', {
    token: shop.org.key,
    body: { email, name: options.name ?? `Buyer ${customers}`, ...(options.billing_details ? { billing_details: options.billing_details } : {}) },
  });
  if (res.status !== 201) throw new Error(`customer: ${JSON.stringify(res.body)}`);
  const customer = res.body as { id: string; email: string };
  if (options.card !== null) await t.addCard(shop.org.id, customer.id, options.card ?? '4242424242424242');
  const token = await t.signIn(shop.org.slug, email);
  return { ...customer, token };
}

export async function subscribe(t: TestContext, shop: Shop, customerId: string, priceId: string, extra: object = {}) {
  const res = await t.request('POST', '/v1/subscriptions', { token: shop.org.key, body: { customer_id: customerId, price_id: priceId, ...extra } });
  if (res.status !== 201) throw new Error(`subscribe: ${JSON.stringify(res.body)}`);
  return res.body as { id: string; status: string; current_period_end: string };
}
