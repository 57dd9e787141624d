// The rest of the fake portal API: benefits, seats, usage, wallet, payment methods and the
// account's email change and export, shaped like server/modules/{benefits,seats,usage,wallet,
// payments,hosted,customers} answer. Tests change `extras` to set a scene.
import { http, HttpResponse } from 'msw';
import type { PortalBenefit, PortalSeatGroup } from '../../src/schemas/benefits.js';
import type { PaymentMethod } from '../../src/schemas/payments.js';
import type { UsageMeter } from '../../src/schemas/usage.js';
import type { WalletTransaction } from '../../src/schemas/wallet.js';
import { authed as billingAuthed, headers } from './billing.js';
import { apiError, fake, meIncludes, record, session, type RecordedRequest } from './handlers.js';

const NOW = Date.parse('2025-11-21T10:00:00.000Z');
const iso = (days: number) => new Date(NOW + days * 86_400_000).toISOString();

export const LICENSE_KEY = 'ACME-7F3K-Q9PL-22XM-B4TR';
export const API_KEY = 'acme_live_9f8e7d6c5b4a39281706';
export const VALID_EMAIL_CODE = '654321';
export const SEAT_TOKEN = 'cpi_seat_invitation_0123456789';

export function benefitsFixture(): PortalBenefit[] {
  return [
    {
      id: 'grant_license',
      benefit_id: 'ben_license',
      type: 'license_key',
      description: 'Acme Desktop license',
      granted_at: iso(-30),
      license_key: {
        key: LICENSE_KEY,
        hint: 'B4TR',
        status: 'active',
        expires_at: null,
        activation_limit: 3,
        activations: [{ id: 'act_1', label: 'MacBook Pro', created_at: iso(-20) }],
      },
    },
    {
      id: 'grant_files',
      benefit_id: 'ben_files',
      type: 'download',
      description: 'Acme Desktop installers',
      granted_at: iso(-30),
      files: [
        {
          id: 'file_1',
          name: 'acme-desktop-2.4.dmg',
          size: 48_200_000,
          content_type: 'application/x-apple-diskimage',
          url: 'https://files.example/acme.dmg?sig=abc',
          url_expires_at: iso(0.01),
        },
      ],
    },
    {
      id: 'grant_discord',
      benefit_id: 'ben_discord',
      type: 'discord',
      description: 'Community on Discord',
      granted_at: iso(-30),
      invite_url: 'https://discord.gg/acme',
    },
    {
      id: 'grant_api',
      benefit_id: 'ben_api',
      type: 'api_key',
      description: 'Acme API access',
      granted_at: iso(-30),
      api_key: { hint: 'acme_…1706', key: null, created_at: iso(-30) },
    },
    {
      id: 'grant_custom',
      benefit_id: 'ben_custom',
      type: 'custom',
      description: 'Priority support',
      granted_at: iso(-30),
      text: 'Write to us any time: we answer within 4 hours.',
      links: [{ label: 'Open a ticket', url: 'https://support.example/new' }],
    },
  ];
}

export function seatsFixture(): PortalSeatGroup[] {
  const seat = (id: string, email: string, status: 'pending' | 'claimed' | 'revoked') => ({
    id,
    subscription_id: 'sub_team',
    email,
    status,
    invited_at: iso(-5),
    invitation_expires_at: status === 'pending' ? iso(9) : null,
    claimed_at: status === 'claimed' ? iso(-4) : null,
    revoked_at: status === 'revoked' ? iso(-1) : null,
  });
  return [
    {
      subscription_id: 'sub_team',
      subscription_status: 'active',
      product: { id: 'prod_team', name: 'Team' },
      seats_purchased: 3,
      seats_used: 2,
      seats_available: 1,
      can_assign: true,
      seats: [seat('seat_1', 'bob@example.com', 'claimed'), seat('seat_2', 'carol@example.com', 'pending'), seat('seat_3', 'dan@example.com', 'revoked')],
    },
  ];
}

export function usageFixture(): UsageMeter[] {
  return [
    {
      meter: { id: 'meter_api', name: 'API requests', unit: 'requests', aggregation: 'sum' },
      subscription_id: 'sub_api',
      product_name: 'API add-on',
      period: { start: iso(-20), end: iso(10) },
      usage: 12_500,
      included: 10_000,
      limit: 10_000,
      percentage: 125,
      overage: { units: 2_500, unit_amount: 1, amount: 2_500, currency: 'USD' },
      history: {
        daily: Array.from({ length: 20 }, (_, i) => ({ date: iso(i - 20).slice(0, 10), value: 400 + ((i * 137) % 500) })),
        periods: [
          { start: iso(-80), end: iso(-50), value: 8_000 },
          { start: iso(-50), end: iso(-20), value: 9_400 },
        ],
      },
    },
  ];
}

export function walletFixture(): WalletTransaction[] {
  return Array.from({ length: 12 }, (_, i) => ({
    id: `wtx_${String(12 - i).padStart(2, '0')}`,
    amount: i % 3 === 0 ? 1_500 : -500,
    currency: 'USD',
    kind: i % 3 === 0 ? 'promotional' : 'applied',
    description: i % 3 === 0 ? 'Welcome credit' : `Applied to invoice INV-00${i}`,
    order_id: i % 3 === 0 ? null : `ord_${i}`,
    expires_at: i % 3 === 0 ? iso(60) : null,
    remaining: i % 3 === 0 ? 1_000 : null,
    created_at: iso(-i),
  }));
}

export function cardsFixture(): PaymentMethod[] {
  return [
    { id: 'pm_visa', brand: 'visa', last4: '4242', exp_month: 4, exp_year: 2030, is_default: true, created_at: iso(-100) },
    { id: 'pm_mc', brand: 'mastercard', last4: '4444', exp_month: 12, exp_year: 2024, is_default: false, created_at: iso(-50) },
  ];
}

/** What the fake serves and remembers beyond the customer; reset before each test. */
meIncludes.paymentMethods = () => extras.cards;

export const extras = {
  benefits: benefitsFixture(),
  seats: seatsFixture(),
  meters: usageFixture(),
  wallet: { balances: [{ currency: 'USD', balance: 1_500 }], transactions: walletFixture() },
  cards: cardsFixture(),
  /** The server's answer to removing the default card, when it refuses. */
  refuseRemoval: '',
  pendingEmail: '',
  reset(): void {
    this.benefits = benefitsFixture();
    this.seats = seatsFixture();
    this.meters = usageFixture();
    this.wallet = { balances: [{ currency: 'USD', balance: 1_500 }], transactions: walletFixture() };
    this.cards = cardsFixture();
    this.refuseRemoval = '';
    this.pendingEmail = '';
  },
};

/** Signed-in only, with the billing status header every portal answer carries. */
const authed = (handler: (r: RecordedRequest, params: Record<string, string>, url: string) => Response | Promise<Response>) =>
  billingAuthed(async (r, params, url) => {
    const response = await handler(r, params, url);
    for (const [name, value] of Object.entries(headers())) response.headers.set(name, value);
    return response;
  });

export const extraHandlers = [
  // Public: the invitee has no session yet.
  http.post('*/portal/v1/seats/claim', async ({ request }) => {
    const { body } = await record(request);
    if ((body as { token: string }).token !== SEAT_TOKEN)
      return apiError(400, 'invitation_invalid', 'This invitation was revoked or has expired. Ask for a new one.');
    return HttpResponse.json({ ...session, return_url: null, seat: { ...seatsFixture()[0]!.seats[1]!, status: 'claimed', claimed_at: iso(0) } });
  }),

  http.get(
    '*/portal/v1/benefits',
    authed(() => HttpResponse.json({ data: extras.benefits })),
  ),
  http.post(
    '*/portal/v1/benefits/:grant/:action',
    authed((_r, { grant, action }) => {
      const found = extras.benefits.find((b) => b.id === grant);
      if (!found) return apiError(404, 'not_found', 'Benefit was not found.');
      let next: PortalBenefit = found;
      if (found.type === 'license_key' && action === 'rotate') {
        next = { ...found, license_key: { ...found.license_key, key: 'ACME-NEW0-KEY1-2345-Z9Y8', hint: 'Z9Y8', activations: [] } };
      } else if (found.type === 'api_key') {
        const key = action === 'rotate' ? 'acme_live_rotated_000000000001' : API_KEY;
        next = { ...found, api_key: { ...found.api_key, key, hint: `acme_…${key.slice(-4)}` } };
      }
      extras.benefits = extras.benefits.map((b) =>
        b.id === grant ? { ...next, ...(next.type === 'api_key' ? { api_key: { ...next.api_key, key: null } } : {}) } : b,
      );
      return HttpResponse.json(next);
    }),
  ),

  http.get(
    '*/portal/v1/seats',
    authed(() => HttpResponse.json({ data: extras.seats })),
  ),
  http.post(
    '*/portal/v1/seats',
    authed((r) => {
      const { subscription_id, email } = r.body as { subscription_id: string; email: string };
      const group = extras.seats.find((g) => g.subscription_id === subscription_id)!;
      if (!group.can_assign) return apiError(409, 'no_seats_available', 'Every seat of Team is taken. Add seats to your subscription first.');
      const seat = {
        id: `seat_${group.seats.length + 1}`,
        subscription_id,
        email,
        status: 'pending' as const,
        invited_at: iso(0),
        invitation_expires_at: iso(14),
        claimed_at: null,
        revoked_at: null,
      };
      group.seats = [...group.seats, seat];
      group.seats_used += 1;
      group.seats_available -= 1;
      group.can_assign = group.seats_available > 0;
      return HttpResponse.json(seat, { status: 201 });
    }),
  ),
  http.post(
    '*/portal/v1/seats/:id/resend',
    authed((_r, { id }) => HttpResponse.json(extras.seats[0]!.seats.find((s) => s.id === id))),
  ),
  http.delete(
    '*/portal/v1/seats/:id',
    authed((_r, { id }) => {
      const group = extras.seats[0]!;
      group.seats = group.seats.map((s) => (s.id === id ? { ...s, status: 'revoked' as const, revoked_at: iso(0) } : s));
      group.seats_used -= 1;
      group.seats_available += 1;
      group.can_assign = true;
      return HttpResponse.json(group.seats.find((s) => s.id === id));
    }),
  ),

  http.get(
    '*/portal/v1/usage',
    authed(() => HttpResponse.json({ meters: extras.meters })),
  ),

  http.get(
    '*/portal/v1/wallet',
    authed((_r, _params, url) => {
      const after = new URL(url).searchParams.get('starting_after');
      const all = extras.wallet.transactions;
      const start = after ? all.findIndex((t) => t.id === after) + 1 : 0;
      const data = all.slice(start, start + 10);
      const more = start + 10 < all.length;
      return HttpResponse.json({ balances: extras.wallet.balances, transactions: { data, has_more: more, next_cursor: more ? data.at(-1)!.id : null } });
    }),
  ),

  http.get(
    '*/portal/v1/payment-methods',
    authed(() => HttpResponse.json({ data: extras.cards })),
  ),
  http.post(
    '*/portal/v1/payment-methods/:id/default',
    authed((_r, { id }) => {
      extras.cards = extras.cards.map((c) => ({ ...c, is_default: c.id === id }));
      return HttpResponse.json({ data: extras.cards, retried: [] });
    }),
  ),
  http.delete(
    '*/portal/v1/payment-methods/:id',
    authed((_r, { id }) => {
      if (extras.refuseRemoval) return apiError(409, 'payment_method_required', extras.refuseRemoval);
      extras.cards = extras.cards.filter((c) => c.id !== id);
      return new HttpResponse(null, { status: 204 });
    }),
  ),
  http.post(
    '*/portal/v1/payments/confirm-session',
    authed((r) => {
      const { origin, order_id } = r.body as { origin: string; order_id?: string };
      return HttpResponse.json(
        {
          url: 'about:blank?token=hpo_confirm',
          server_origin: origin,
          expires_at: iso(0.01),
          order: { id: order_id ?? 'ord_waiting', invoice_number: 'INV-0009', total: 2900, currency: 'USD', subscription_id: 'sub_pro' },
        },
        { status: 201 },
      );
    }),
  ),
  http.post(
    '*/portal/v1/payment-methods/hosted-session',
    authed((r) => {
      const { origin } = r.body as { origin: string };
      return HttpResponse.json({ url: 'about:blank', server_origin: origin, expires_at: iso(0.01) }, { status: 201 });
    }),
  ),

  http.post(
    '*/portal/v1/me/email-change',
    authed((r) => {
      const { email } = r.body as { email: string };
      // As the server: the same answer for an address another account uses, but no code is sent.
      extras.pendingEmail = email === 'taken@example.com' ? '' : email;
      return HttpResponse.json({ email, expires_at: iso(0.01) }, { status: 202 });
    }),
  ),
  http.post(
    '*/portal/v1/me/email-change/verify',
    authed((r) => {
      const { code } = r.body as { code: string };
      if (code !== VALID_EMAIL_CODE || !extras.pendingEmail)
        return apiError(400, 'code_incorrect', 'That code is incorrect. 4 tries left.', { attempts_left: 4 });
      fake.customer = { ...fake.customer, email: extras.pendingEmail };
      return HttpResponse.json(fake.customer);
    }),
  ),
  http.get(
    '*/portal/v1/me/export',
    authed(
      () =>
        new HttpResponse(JSON.stringify({ customer: fake.customer }), {
          headers: { 'Content-Type': 'application/json', 'Content-Disposition': 'attachment; filename="my-data-acme.json"' },
        }),
    ),
  ),
];
