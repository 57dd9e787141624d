// From a language tag someone sent ("fr-CA", "en_US", "zh-Hans", an Accept-Language header)
// to one of the supported locales. Pure functions over locales.ts: no DOM, no Node.
import { localeCodes, rtlLocales, type Locale } from './locales.js';

const supported = new Map<string, Locale>(localeCodes.map((code) => [code.toLowerCase(), code]));

/** Other tags for a supported language. */
const ALIASES: Record<string, Locale> = {
  no: 'nb', // Norwegian: bokmål is what almost everyone writes
  nn: 'nb',
  iw: 'he', // Hebrew's old code, still sent by some systems
  zh: 'zh-CN',
};

/** Chinese written in Traditional characters: not Simplified Chinese, so no match. */
const TRADITIONAL_CHINESE = /^zh-(?:hant|tw|hk|mo)(?:-|$)/;

/**
 * The supported locale for a language tag, or null. An exact code wins ("pt-BR"); otherwise a
 * regional variant falls back to its language ("fr-CA" → "fr", "pt-PT" → "pt", "en-US" → "en").
 * Case and "_" do not matter.
 */
export function matchLocale(tag: string | null | undefined): Locale | null {
  if (typeof tag !== 'string') return null;
  const t = tag.trim().replace(/_/g, '-').toLowerCase();
  if (t.length > 35 || !/^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$/.test(t)) return null;
  const exact = supported.get(t);
  if (exact) return exact;
  if (TRADITIONAL_CHINESE.test(t)) return null;
  const language = t.split('-')[0]!;
  return supported.get(language) ?? ALIASES[language] ?? null;
}

/** The best supported locale for an Accept-Language header ("fr-CH, fr;q=0.9, en;q=0.8"), or null. */
export function negotiateLocale(header: string | null | undefined): Locale | null {
  if (!header) return null;
  const ranges = header
    .slice(0, 1000)
    .split(',')
    .slice(0, 30)
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.tag && r.tag !== '*' && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const range of ranges) {
    const match = matchLocale(range.tag);
    if (match) return match;
  }
  return null;
}

/** True for Arabic and Hebrew: layouts mirror. */
export function isRtl(locale: string): boolean {
  return (rtlLocales as readonly string[]).includes(locale);
}
