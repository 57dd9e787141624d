// A hosted page (the card form, the confirm page): its HTML and headers, and the page for an
// open token as the iframe asks for it (the organization's name and colour, the widget's theme).
import type { Config } from '../../config.js';
import { escapeHtml } from '../../lib/html.js';
import { FAVICON_LINK, pageHeaders } from '../../lib/page-headers.js';
import type { Services } from '../../services.js';
import { brandingOf } from '../organizations/service.js';

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

/**
 * The page for `GET /hosted/<page>?token=…&theme=…`: the open token's organization names and
 * colours it, only the widget's origin may frame it; an unknown, used or expired token gets the
 * page in its "expired" state (400), which says so and tells the widget.
 */
export async function hostedPageFor(
  services: Pick<Services, 'hostedTokens' | 'organizations'>,
  config: Pick<Config, 'paymentProvider'>,
  query: { token?: string; theme?: string },
  page: { title: string; element: 'cp-hosted-payment-method' | 'cp-hosted-confirm-payment' },
) {
  const row = query.token ? await services.hostedTokens.find('open', query.token) : undefined;
  const org = row ? await services.organizations.byId(row.organization_id) : undefined;
  const view = hostedPage({
    stripe: config.paymentProvider === 'stripe',
    parentOrigin: row?.parent_origin ?? null,
    title: org ? `${org.name} · ${page.title}` : page.title,
    primaryColor: org ? brandingOf(org).primary_color : null,
    // The widget's dialog is light or dark (?theme=): the page's canvas and controls follow from the first paint.
    scheme: query.theme === 'dark' ? 'dark' : 'light',
    body: `<${page.element} ${row ? '' : 'expired'}></${page.element}>`,
  });
  return { ...view, status: row ? (200 as const) : (400 as const) };
}
