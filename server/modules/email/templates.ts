import { translator, type Translator } from '../../i18n/index.js';
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

function brandColor(brand: Brand): string {
  return brand.primaryColor && /^#[0-9a-f]{6}$/i.test(brand.primaryColor) ? brand.primaryColor : '#4f46e5';
}

/** Where lines start and end: mirrored for Arabic and Hebrew. */
function sides(tr: Translator) {
  return tr.rtl ? { dir: 'rtl', start: 'right', end: 'left' } : { dir: 'ltr', start: 'left', end: 'right' };
}

/**
 * The frame every email shares: the organization's name, a body, in the customer's language
 * (`lang`, and `dir="rtl"` with right-aligned text for Arabic and Hebrew). Everything
 * interpolated is escaped.
 */
function layout(brand: Brand, tr: Translator, bodyHtml: string): string {
  const { dir, start } = sides(tr);
  return `<!doctype html><html lang="${tr.locale}" dir="${dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head>
<body dir="${dir}" style="margin:0;background:#f4f4f5;font-family:system-ui,-apple-system,Segoe UI,Roboto,Tahoma,Arial,sans-serif;color:#18181b;direction:${dir}">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" dir="${dir}"><tr><td align="center" style="padding:32px 16px">
<table role="presentation" width="100%" dir="${dir}" style="max-width:520px;background:#ffffff;border-radius:12px;padding:32px;direction:${dir};text-align:${start}">
<tr><td style="font-size:18px;font-weight:600;padding-bottom:16px;border-bottom:3px solid ${brandColor(brand)};text-align:${start}">${escapeHtml(brand.name)}</td></tr>
<tr><td style="padding-top:24px;font-size:15px;line-height:1.6;text-align:${start}">${bodyHtml}</td></tr>
</table></td></tr></table></body></html>`;
}

function button(brand: Brand, href: string, label: string): string {
  return `<a href="${escapeHtml(href)}" style="display:inline-block;background:${brandColor(brand)};color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:8px;font-weight:600">${escapeHtml(label)}</a>`;
}

/** A one-time code, large; digits read left to right in every language. */
function codeBlock(tr: Translator, code: string): string {
  return `<p dir="ltr" style="font-size:32px;font-weight:700;letter-spacing:8px;font-family:ui-monospace,monospace;margin:8px 0 24px;text-align:${sides(tr).start}">${escapeHtml(code)}</p>`;
}

export function signInEmail(input: { brand: Brand; locale: string; code: string; link: string; minutes: number }): RenderedEmail {
  const { brand, code, link, minutes } = input;
  const tr = translator(input.locale);
  const organization = brand.name;
  const expiry = tr.t('signIn.expiry', { count: minutes });
  const ignore = tr.t('signIn.ignore');
  const text = [tr.t('signIn.textCode', { organization, code }), '', tr.t('signIn.textLink', { link }), '', expiry, ignore].join('\n');
  const html = layout(
    brand,
    tr,
    `<p>${escapeHtml(tr.t('signIn.codeIntro'))}</p>
${codeBlock(tr, code)}
<p>${button(brand, link, tr.t('signIn.button'))}</p>
<p style="color:#71717a;font-size:13px">${escapeHtml(expiry)} ${escapeHtml(ignore)}</p>`,
  );
  return { subject: tr.t('signIn.subject', { organization }), text, html };
}

/**
 * A transactional notice: a heading, a few sentences, a table of facts and a button into
 * the portal. Used for order confirmations, renewals, changes, cancellations and failed
 * payments. The caller writes the words in `locale` (translator(locale).t); the frame here
 * follows it (lang, direction).
 */
export function noticeEmail(input: {
  brand: Brand;
  locale: string;
  subject: string;
  heading: string;
  paragraphs: string[];
  facts?: Array<[string, string]>;
  action: { label: string; url: string };
}): RenderedEmail {
  const { brand, subject, heading, paragraphs, facts = [], action } = input;
  const tr = translator(input.locale);
  const { start, end } = sides(tr);
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
            `<tr><td style="padding:8px 0;color:#71717a;border-bottom:1px solid #e4e4e7;text-align:${start}">${escapeHtml(k)}</td><td style="padding:8px 0;text-align:${end};border-bottom:1px solid #e4e4e7">${escapeHtml(v)}</td></tr>`,
        )
        .join('')}</table>`
    : '';
  const html = layout(
    brand,
    tr,
    `<h1 style="font-size:20px;margin:0 0 12px">${escapeHtml(heading)}</h1>
${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
${factsHtml}
<p style="margin-top:24px">${button(brand, action.url, action.label)}</p>`,
  );
  return { subject, text, html };
}

/** The code that confirms a new email address, sent to that address. */
export function emailChangeEmail(input: { brand: Brand; locale: string; code: string; minutes: number }): RenderedEmail {
  const { brand, code, minutes } = input;
  const tr = translator(input.locale);
  const organization = brand.name;
  const instructions = tr.t('emailChange.instructions', { organization, count: minutes });
  const ignore = tr.t('emailChange.ignore');
  const text = [tr.t('emailChange.textCode', { code }), '', instructions, ignore].join('\n');
  const html = layout(
    brand,
    tr,
    `<p>${escapeHtml(tr.t('emailChange.codeIntro'))}</p>
${codeBlock(tr, code)}
<p>${escapeHtml(instructions)}</p>
<p style="color:#71717a;font-size:13px">${escapeHtml(ignore)}</p>`,
  );
  return { subject: tr.t('emailChange.subject', { organization }), text, html };
}
