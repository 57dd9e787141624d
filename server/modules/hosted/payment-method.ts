import { join } from 'node:path';
import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { hostedSessionRequest } from '../../../src/schemas/payments.js';
import type { Config } from '../../config.js';
import type { DB } from '../../db/schema.js';
import { isSameOrigin, portalRouter, type AppEnv } from '../../http.js';
import { MINUTE, type Clock } from '../../lib/clock.js';
import { randomToken, sha256 } from '../../lib/crypto.js';
import { ApiError } from '../../lib/errors.js';
import { staticFile } from '../../lib/compression.js';
import { escapeHtml } from '../../lib/html.js';
import { FAVICON_LINK, pageHeaders } from '../../lib/page-headers.js';
import { newId } from '../../lib/ids.js';
import { jsonBody } from '../../lib/validate.js';
import type { Services } from '../../services.js';
import { paymentMethodView } from '../payments/service.js';
import { retriedView } from '../subscriptions/views.js';
import { distDir } from './routes.js';

const OPEN_TTL_MS = 15 * MINUTE;
const CONFIRM_TTL_MS = 30 * MINUTE;
const hostedDir = join(distDir, 'hosted');

/**
 * The hosted payment-method page: the one part of the portal that leaves the merchant's
 * page. The widget asks for an "open" token (single use, 15 minutes) and puts it in the
 * iframe's URL; the page trades it once for a SetupIntent and a "confirm" token bound to
 * that intent. The session token never reaches the iframe.
 */
/** The hosted pages' single-use tokens: "open" (in the iframe's URL) and "confirm" (what the page then holds). */
export function hostedTokenStore(db: Kysely<DB>, clock: Clock) {
  async function insertToken(
    kind: 'open' | 'confirm',
    row: {
      organization_id: string;
      customer_id: string;
      parent_origin: string;
      make_default: boolean;
      setup_intent_id?: string | null;
      payment_id?: string | null;
    },
    ttl: number,
  ) {
    const token = randomToken(kind === 'open' ? 'hpo' : 'hpc');
    const now = clock.now();
    const expires = new Date(now.getTime() + ttl);
    await db
      .insertInto('hosted_tokens')
      .values({
        id: newId('ht', now.getTime()),
        kind,
        token_hash: sha256(token),
        ...row,
        setup_intent_id: row.setup_intent_id ?? null,
        payment_id: row.payment_id ?? null,
        expires_at: expires,
        created_at: now,
      })
      .execute();
    return { token, expires_at: expires };
  }

  async function findToken(kind: 'open' | 'confirm', token: string) {
    const row = await db.selectFrom('hosted_tokens').selectAll().where('token_hash', '=', sha256(token)).where('kind', '=', kind).executeTakeFirst();
    if (!row || row.used_at || row.expires_at <= clock.now()) return undefined;
    return row;
  }

  return { insertToken, findToken };
}

/**
 * A hosted page's HTML and headers: a strict CSP (Stripe's origins only with the stripe
 * provider), framable only by the page that asked for it (`parentOrigin`).
 */
export function hostedPage(options: {
  stripe: boolean;
  parentOrigin: string | null;
  title: string;
  primaryColor: string | null | undefined;
  scheme?: 'light' | 'dark';
  body: string;
}) {
  const { stripe, parentOrigin } = options;
  const csp = [
    "default-src 'none'",
    `script-src 'self'${stripe ? ' https://js.stripe.com' : ''}`,
    "style-src 'self' 'unsafe-inline'",
    `connect-src 'self'${stripe ? ' https://api.stripe.com' : ''}`,
    `frame-src ${stripe ? 'https://js.stripe.com https://hooks.stripe.com' : "'none'"}`,
    `img-src 'self' data:${stripe ? ' https://*.stripe.com' : ''}`,
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
    // Only the page that asked for this form may show it.
    `frame-ancestors ${parentOrigin ?? "'none'"}`,
  ].join('; ');
  const color = options.primaryColor ?? '#4f46e5';
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
${FAVICON_LINK}
<title>${escapeHtml(options.title)}</title>
<style>:root{--cp-color-primary:${/^#[0-9a-f]{6}$/i.test(color) ? color : '#4f46e5'}}html{color-scheme:${options.scheme ?? 'light'}}html,body{margin:0;background:transparent;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}</style>
<script type="module" src="/hosted/assets/payment-method.js"></script>
</head><body>${options.body}</body></html>`;
  return { html, headers: pageHeaders(csp, { framable: true }) };
}

export function hostedPaymentMethod(services: Services, config: Config, db: Kysely<DB>, clock: Clock) {
  const { insertToken, findToken } = hostedTokenStore(db, clock);

  const expired = () => new ApiError(400, 'hosted_token_invalid', 'This form has expired or was already used. Close it and try again.');

  /** POST /portal/v1/payment-methods/hosted-session {origin, make_default} */
  const portal = portalRouter(services, config.publicUrl).post('/', async (c) => {
    const body = await jsonBody(c, hostedSessionRequest);
    const { organization, customer } = c.get('auth');
    const origin = new URL(body.origin).origin;
    if (!isSameOrigin(c, origin, config.publicUrl) && !organization.allowed_origins.includes(origin)) {
      throw new ApiError(400, 'origin_not_allowed', `${origin} is not one of the organization's allowed origins.`);
    }
    const { token, expires_at } = await insertToken(
      'open',
      { organization_id: organization.id, customer_id: customer.id, parent_origin: origin, make_default: body.make_default },
      OPEN_TTL_MS,
    );
    return c.json(
      {
        url: `${config.publicUrl}/hosted/payment-method?token=${token}`,
        server_origin: new URL(config.publicUrl).origin,
        expires_at: expires_at.toISOString(),
      },
      201,
    );
  });

  const page = new Hono<AppEnv>()
    .get('/payment-method', async (c) => {
      const token = c.req.query('token') ?? '';
      const row = token ? await findToken('open', token) : undefined;
      const org = row ? await services.organizations.byId(row.organization_id) : undefined;
      const page = hostedPage({
        stripe: config.paymentProvider === 'stripe',
        parentOrigin: row?.parent_origin ?? null,
        title: org ? `${org.name} · Payment method` : 'Payment method',
        primaryColor: (org?.branding as { primary_color?: string | null } | undefined)?.primary_color,
        // The widget's dialog is light or dark (?theme=): the page's canvas and controls follow from the first paint.
        scheme: c.req.query('theme') === 'dark' ? 'dark' : 'light',
        body: `<cp-hosted-payment-method ${row ? '' : 'expired'}></cp-hosted-payment-method>`,
      });
      return c.html(page.html, row ? 200 : 400, page.headers);
    })
    .get('/assets/:file{.+}', async (c) => {
      const res = await staticFile(hostedDir, c.req.param('file'), c.req.header('accept-encoding'), {
        'Content-Type': 'text/javascript; charset=utf-8',
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
      });
      return res ?? c.notFound();
    })
    /** The page trades its open token (once) for a SetupIntent and a confirm token. */
    .post('/v1/payment-method/start', async (c) => {
      const body = await jsonBody(c, z.object({ token: z.string().min(10).max(200) }));
      const row = await findToken('open', body.token);
      if (!row) throw expired();
      const used = await db
        .updateTable('hosted_tokens')
        .set({ used_at: clock.now() })
        .where('id', '=', row.id)
        .where('used_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (!used) throw expired();
      const org = await services.organizations.byId(row.organization_id);
      const customer = await services.customers.get(org.id, { id: row.customer_id });
      const setup = await services.payments.startSetup(customer);
      const confirm = await insertToken(
        'confirm',
        {
          organization_id: org.id,
          customer_id: customer.id,
          parent_origin: row.parent_origin,
          make_default: row.make_default,
          setup_intent_id: setup.setup_intent_id,
        },
        CONFIRM_TTL_MS,
      );
      return c.json({
        provider: setup.provider,
        publishable_key: config.stripe?.publishableKey ?? null,
        setup_intent_id: setup.setup_intent_id,
        client_secret: setup.client_secret,
        confirm_token: confirm.token,
        parent_origin: row.parent_origin,
        organization: { name: org.name, primary_color: (org.branding as { primary_color?: string | null }).primary_color ?? null },
      });
    })
    /** After the card was confirmed with the provider: save it, make it default, retry what is unpaid. */
    .post('/v1/payment-method/complete', async (c) => {
      const body = await jsonBody(c, z.object({ confirm_token: z.string().min(10).max(200) }));
      const row = await findToken('confirm', body.confirm_token);
      if (!row?.setup_intent_id) throw expired();
      const customer = await services.customers.get(row.organization_id, { id: row.customer_id });
      const method = await services.payments.completeSetup(customer, row.setup_intent_id, row.make_default);
      await db.updateTable('hosted_tokens').set({ used_at: clock.now() }).where('id', '=', row.id).execute();
      const retries = method.is_default ? await services.subscriptions.onPaymentMethodChanged(row.organization_id, row.customer_id) : [];
      return c.json({
        payment_method: paymentMethodView(method),
        retried: retriedView(retries),
      });
    });

  return { portal, page };
}
