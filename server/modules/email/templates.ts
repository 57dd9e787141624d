import { escapeHtml } from '../../lib/html.js';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

interface Brand {
  name: string;
  primaryColor?: string | null | undefined;
}

/** The frame every email shares: the organization's name, a body, a footer. Everything interpolated is escaped. */
function layout(brand: Brand, bodyHtml: string): string {
  const color = brand.primaryColor && /^#[0-9a-f]{6}$/i.test(brand.primaryColor) ? brand.primaryColor : '#4f46e5';
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head>
<body style="margin:0;background:#f4f4f5;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#18181b">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:32px 16px">
<table role="presentation" width="100%" style="max-width:520px;background:#ffffff;border-radius:12px;padding:32px">
<tr><td style="font-size:18px;font-weight:600;padding-bottom:16px;border-bottom:3px solid ${color}">${escapeHtml(brand.name)}</td></tr>
<tr><td style="padding-top:24px;font-size:15px;line-height:1.6">${bodyHtml}</td></tr>
</table></td></tr></table></body></html>`;
}

function button(brand: Brand, href: string, label: string): string {
  const color = brand.primaryColor && /^#[0-9a-f]{6}$/i.test(brand.primaryColor) ? brand.primaryColor : '#4f46e5';
  return `<a href="${escapeHtml(href)}" style="display:inline-block;background:${color};color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:8px;font-weight:600">${escapeHtml(label)}</a>`;
}

export function signInEmail(input: { brand: Brand; code: string; link: string; minutes: number }): RenderedEmail {
  const { brand, code, link, minutes } = input;
  const subject = `Your sign-in code for ${brand.name}`;
  const text = [
    `Your sign-in code for ${brand.name} is: ${code}`,
    '',
    `Or sign in with one click: ${link}`,
    '',
    `The code and the link work once and expire in ${minutes} minutes.`,
    `If you did not ask to sign in, you can ignore this email.`,
  ].join('\n');
  const html = layout(
    brand,
    `<p>Your sign-in code is</p>
<p style="font-size:32px;font-weight:700;letter-spacing:8px;font-family:ui-monospace,monospace;margin:8px 0 24px">${escapeHtml(code)}</p>
<p>${button(brand, link, 'Sign in with one click')}</p>
<p style="color:#71717a;font-size:13px">The code and the link work once and expire in ${minutes} minutes. If you did not ask to sign in, you can ignore this email.</p>`,
  );
  return { subject, text, html };
}

/**
 * A transactional notice: a heading, a few sentences, a table of facts and a button into
 * the portal. Used for order confirmations, renewals, changes, cancellations and failed
 * payments.
 */
export function noticeEmail(input: {
  brand: Brand;
  subject: string;
  heading: string;
  paragraphs: string[];
  facts?: Array<[string, string]>;
  action: { label: string; url: string };
}): RenderedEmail {
  const { brand, subject, heading, paragraphs, facts = [], action } = input;
  const text = [
    heading,
    '',
    ...paragraphs.flatMap((p) => [p, '']),
    ...facts.map(([k, v]) => `${k}: ${v}`),
    ...(facts.length ? [''] : []),
    `${action.label}: ${action.url}`,
  ].join('\n');
  const factsHtml = facts.length
    ? `<table role="presentation" cellpadding="0" cellspacing="0" style="width:100%;margin:16px 0;border-top:1px solid #e4e4e7">${facts
        .map(
          ([k, v]) =>
            `<tr><td style="padding:8px 0;color:#71717a;border-bottom:1px solid #e4e4e7">${escapeHtml(k)}</td><td style="padding:8px 0;text-align:right;border-bottom:1px solid #e4e4e7">${escapeHtml(v)}</td></tr>`,
        )
        .join('')}</table>`
    : '';
  const html = layout(
    brand,
    `<h1 style="font-size:20px;margin:0 0 12px">${escapeHtml(heading)}</h1>
${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
${factsHtml}
<p style="margin-top:24px">${button(brand, action.url, action.label)}</p>`,
  );
  return { subject, text, html };
}

/** The code that confirms a new email address, sent to that address. */
export function emailChangeEmail(input: { brand: Brand; code: string; minutes: number }): RenderedEmail {
  const { brand, code, minutes } = input;
  const subject = `Confirm your new email address for ${brand.name}`;
  const text = [
    `Your confirmation code is: ${code}`,
    '',
    `Enter it in the customer portal to use this address for ${brand.name}. It expires in ${minutes} minutes.`,
    'If you did not ask for this, ignore this email: nothing changes.',
  ].join('\n');
  const html = layout(
    brand,
    `<p>Your confirmation code is</p>
<p style="font-size:32px;font-weight:700;letter-spacing:8px;font-family:ui-monospace,monospace;margin:8px 0 24px">${escapeHtml(code)}</p>
<p>Enter it in the customer portal to use this address for ${escapeHtml(brand.name)}. It expires in ${minutes} minutes.</p>
<p style="color:#71717a;font-size:13px">If you did not ask for this, ignore this email: nothing changes.</p>`,
  );
  return { subject, text, html };
}
