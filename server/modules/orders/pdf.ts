// Invoice and receipt PDFs (pdfkit). Every value drawn comes from the document; the labels,
// money and dates are in the document's locale (server/i18n). Text is laid out here (measure,
// wrap, page breaks, bidi), not by pdfkit's wrapper, because a line is drawn as runs in
// different fonts and directions:
//   - DejaVu Sans (regular, bold) covers Latin, Greek, Cyrillic, Arabic, Hebrew, Armenian,
//     Georgian and the currency and punctuation signs;
//   - Droid Sans Fallback covers Chinese, Japanese and Korean, and is only embedded in a
//     PDF that has such a run (pdfkit subsets both, so a PDF carries only the glyphs used).
// Characters neither font has (Thai, Devanagari, most emoji, …) are drawn with DejaVu's
// missing-glyph box.
// Right to left: every line goes through the Unicode bidi algorithm (bidi-js) and is drawn
// as runs in visual order; fontkit shapes Arabic (joining forms, lam-alef) within a run. For
// Arabic and Hebrew documents the whole page mirrors: the layout code below thinks in
// left-to-right coordinates and the Canvas flips x and alignment.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import bidiFactory from 'bidi-js';
import PDFDocument from 'pdfkit';
import { translator, type Translator } from '../../i18n/index.js';
import { REVERSE_CHARGE_NOTE } from '../billing/tax.js';
import type { DocumentLine, DocumentParty, InvoiceDocument, ReceiptDocument } from './documents.js';

// ─── fonts ──────────────────────────────────────────────────────────────────────────────

/** The part of a fontkit font this module uses (fontkit ships no types). */
interface FontkitFont {
  hasGlyphForCodePoint(codePoint: number): boolean;
  layout(text: string): unknown;
}

type Face = 'regular' | 'bold' | 'cjk';

const FONT_FILES: Record<Face, string> = {
  regular: 'DejaVuSans.ttf',
  bold: 'DejaVuSans-Bold.ttf',
  cjk: 'DroidSansFallback.ttf',
};

/** Which faces to try, in order, for a character in regular or bold text. */
const FALLBACKS: Record<'regular' | 'bold', Face[]> = {
  regular: ['regular', 'cjk'],
  bold: ['bold', 'regular', 'cjk'],
};

let loadedFonts: Record<Face, FontkitFont> | null = null;

/**
 * The fonts, parsed once per process and shared by every document (pdfkit accepts a fontkit
 * font object and makes a fresh subset per document). fontkit is loaded from where pdfkit
 * resolves it, so it is always the copy pdfkit itself uses.
 */
function fonts(): Record<Face, FontkitFont> {
  if (loadedFonts) return loadedFonts;
  const requireHere = createRequire(import.meta.url);
  const fontkit = createRequire(requireHere.resolve('pdfkit'))('fontkit') as {
    create(buffer: Uint8Array): FontkitFont;
  };
  const dir = fileURLToPath(new URL('../../assets/fonts/', import.meta.url));
  const load = (face: Face) => fontkit.create(readFileSync(dir + FONT_FILES[face]));
  loadedFonts = { regular: load('regular'), bold: load('bold'), cjk: load('cjk') };
  return loadedFonts;
}

// ─── page geometry and styles ───────────────────────────────────────────────────────────

const PAGE = { width: 595.28, height: 841.89 }; // A4 in points
const MARGIN = { top: 48, right: 48, bottom: 72, left: 48 };
const RIGHT = PAGE.width - MARGIN.right;
const CONTENT_WIDTH = RIGHT - MARGIN.left;
const BOTTOM = PAGE.height - MARGIN.bottom;
/** Room for content on a continuation page (below the running title and a table header). */
const PAGE_CAPACITY = BOTTOM - MARGIN.top - 80;

const COLOR = {
  text: '#1f2328',
  muted: '#6b7280',
  rule: '#e5e7eb',
  strongRule: '#9ca3af',
  headerFill: '#f5f6f8',
};

const STATUS_COLOR: Record<InvoiceDocument['status'], string> = {
  paid: '#15803d',
  pending: '#b45309',
  failed: '#b91c1c',
  refunded: '#4b5563',
  partially_refunded: '#4b5563',
  void: '#4b5563',
};

interface Style {
  size: number;
  bold?: boolean;
  color?: string;
}

type Align = 'left' | 'right';

const BODY: Style = { size: 9.5 };
const SMALL_MUTED: Style = { size: 8, color: COLOR.muted };
const LABEL: Style = { size: 7.5, bold: true, color: COLOR.muted };

/** DejaVu Sans metrics (per em): ascent 1901/2048, ascent + descent 2384/2048. */
const ASCENT = 1901 / 2048;
const FONT_HEIGHT = 2384 / 2048;
const LEADING = 1.4;

function lineHeight(style: Style): number {
  return style.size * LEADING;
}

// ─── labels ─────────────────────────────────────────────────────────────────────────────

const CARD_BRANDS: Record<string, string> = {
  amex: 'American Express',
  american_express: 'American Express',
  cartes_bancaires: 'Cartes Bancaires',
  diners: 'Diners Club',
  diners_club: 'Diners Club',
  discover: 'Discover',
  eftpos_au: 'eftpos',
  interac: 'Interac',
  jcb: 'JCB',
  mastercard: 'Mastercard',
  unionpay: 'UnionPay',
  visa: 'Visa',
};

/** "visa" → "Visa", "american_express" → "American Express", unknown brands capitalised. */
export function cardBrandName(brand: string, card = 'Card'): string {
  const key = brand.trim().toLowerCase();
  const known = CARD_BRANDS[key];
  if (known) return known;
  const words = key.split(/[\s_-]+/).filter(Boolean);
  return words.length ? words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ') : card;
}

/** The order's tax label in the document's language when it is one we wrote ("VAT (19%)"); else as stored. */
function taxLabel(label: string, tr: Translator): string {
  const match = /^(VAT|Tax) \((\d+(?:\.\d+)?)%\)$/.exec(label);
  if (!match) return label;
  const rate = new Intl.NumberFormat(tr.locale, { style: 'percent', maximumFractionDigits: 4 }).format(Number(match[2]) / 100);
  return tr.t(match[1] === 'VAT' ? 'pdf.vatRate' : 'pdf.taxRate', { rate });
}

// ─── text: cleaning, font runs, measuring, wrapping ─────────────────────────────────────

/** Bidi marks, embeddings and isolates: they steer the bidi algorithm, then are not drawn. */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * Text as it will be laid out: NFC (so "ë" is one glyph), newlines kept as hard breaks, tabs
 * as spaces, control and invisible format characters (soft hyphens, …) removed since they
 * have no glyph; ZWJ/ZWNJ stay for Arabic shaping, bidi controls stay until drawing.
 */
function clean(text: string | null | undefined): string {
  if (!text) return '';
  return text
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    .replace(/(?![\n\u200c\u200d\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069])[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu, '');
}

/** For places that are not drawn text (PDF metadata): no bidi controls either. */
const plain = (text: string | null | undefined) => clean(text).replace(BIDI_CONTROLS, '');

type Direction = 'ltr' | 'rtl';

const bidi = bidiFactory();

/** The direction of a paragraph: its first strong character outside isolates (UAX #9 P2), else `fallback`. */
function directionOf(text: string, fallback: Direction): Direction {
  let isolated = 0;
  for (const char of text) {
    const type = bidi.getBidiCharTypeName(char);
    if (type === 'LRI' || type === 'RLI' || type === 'FSI') isolated += 1;
    else if (type === 'PDI') isolated = Math.max(0, isolated - 1);
    else if (isolated === 0 && type === 'L') return 'ltr';
    else if (isolated === 0 && (type === 'R' || type === 'AL')) return 'rtl';
  }
  return fallback;
}

/** fontkit lays out a run right to left (reversing its glyphs) when its first script that is not Common is one of these. */
const FONTKIT_RTL_SCRIPT =
  /\p{Script=Arabic}|\p{Script=Hebrew}|\p{Script=Syriac}|\p{Script=Thaana}|\p{Script=Nko}|\p{Script=Samaritan}|\p{Script=Mandaic}|\p{Script=Cypriot}|\p{Script=Kharoshthi}|\p{Script=Phoenician}|\p{Script=Lydian}|\p{Script=Avestan}|\p{Script=Imperial_Aramaic}|\p{Script=Inscriptional_Parthian}|\p{Script=Inscriptional_Pahlavi}|\p{Script=Old_South_Arabian}|\p{Script=Old_North_Arabian}|\p{Script=Old_Turkic}|\p{Script=Meroitic_Cursive}|\p{Script=Meroitic_Hieroglyphs}|\p{Script=Manichaean}|\p{Script=Mende_Kikakui}|\p{Script=Nabataean}|\p{Script=Palmyrene}|\p{Script=Psalter_Pahlavi}/u;
const NEUTRAL_SCRIPT = /\p{Script=Common}|\p{Script=Inherited}|\p{Script=Unknown}/u;

function fontkitReverses(text: string): boolean {
  for (const char of text) if (!NEUTRAL_SCRIPT.test(char)) return FONTKIT_RTL_SCRIPT.test(char);
  return false;
}

function reverseGraphemes(text: string): string {
  return [...graphemes.segment(text)].map((g) => g.segment).reverse().join('');
}

/**
 * A line as pieces to draw from left to right, each in one font: the bidi algorithm's level
 * runs in visual order (UAX #9 L2), right-to-left runs with mirrored brackets. A piece is
 * handed to pdfkit in the order fontkit wants: fontkit shapes and then reverses a run whose
 * script is right to left itself, so such a run goes in logical order (Arabic joins
 * correctly) and anything else that must read right to left goes in reversed.
 */
function visualPieces(text: string, base: Direction, bold: boolean): Run[] {
  if (!text) return [];
  const { levels } = bidi.getEmbeddingLevels(text, base);
  const runs: Array<{ start: number; end: number; level: number }> = [];
  for (let i = 0; i < text.length; i += 1) {
    const last = runs.at(-1);
    if (last && last.level === levels[i]) last.end = i + 1;
    else runs.push({ start: i, end: i + 1, level: levels[i]! });
  }
  const highest = Math.max(...runs.map((r) => r.level));
  const lowestOdd = Math.min(...runs.map((r) => (r.level % 2 ? r.level : r.level + 1)));
  for (let level = highest; level >= lowestOdd; level -= 1) {
    for (let i = 0; i < runs.length; ) {
      if (runs[i]!.level < level) {
        i += 1;
        continue;
      }
      let j = i;
      while (j < runs.length && runs[j]!.level >= level) j += 1;
      runs.splice(i, j - i, ...runs.slice(i, j).reverse());
      i = j;
    }
  }
  const pieces: Run[] = [];
  for (const run of runs) {
    const rtl = run.level % 2 === 1;
    let logical = text.slice(run.start, run.end).replace(BIDI_CONTROLS, '');
    if (!logical) continue;
    if (rtl) logical = [...logical].map((c) => bidi.getMirroredCharacter(c) ?? c).join('');
    const faces = fontRuns(logical, bold);
    if (rtl) faces.reverse();
    for (const face of faces) {
      pieces.push({ face: face.face, text: rtl !== fontkitReverses(face.text) ? reverseGraphemes(face.text) : face.text });
    }
  }
  return pieces;
}

interface Run {
  text: string;
  face: Face;
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

const KEEP_WITH_RUN = /[\s\p{M}]/u;

/** Splits a line into runs, each drawable with one font (the first in the fallback list that has the character). */
function fontRuns(text: string, bold: boolean): Run[] {
  const all = fonts();
  const chain = FALLBACKS[bold ? 'bold' : 'regular'];
  const runs: Run[] = [];
  let current: Run | null = null;
  for (const char of text) {
    const cp = char.codePointAt(0)!;
    let face: Face;
    if (current && KEEP_WITH_RUN.test(char) && all[current.face].hasGlyphForCodePoint(cp)) {
      face = current.face; // spaces and combining marks stay with the run they belong to
    } else {
      face = chain.find((f) => all[f].hasGlyphForCodePoint(cp)) ?? chain[0]!;
    }
    if (current && current.face === face) current.text += char;
    else {
      current = { text: char, face };
      runs.push(current);
    }
  }
  return runs;
}


/** Where a line may break: spaces, and around every Han, kana and CJK punctuation character. */
const TOKEN = /\s+|[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef]|[^\s\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef]+/gu;

/**
 * Without `features`, pdfkit lays text out word by word and joins the words left to right,
 * which scrambles a right-to-left run; with them (an empty list keeps fontkit's default
 * shaping features) the run is laid out whole.
 */
const WHOLE_RUN = { features: [] as PDFKit.Mixins.OpenTypeFeatures[] };

class Canvas {
  y = MARGIN.top;
  /** Called after a page break (the table uses it to repeat its header). */
  onNewPage: (() => void) | null = null;
  /** The page mirrors: x and alignment flip when drawn, text defaults to right to left. */
  readonly rtl: boolean;

  constructor(
    readonly doc: PDFKit.PDFDocument,
    private readonly runningTitle: string,
    readonly tr: Translator,
  ) {
    this.rtl = tr.rtl;
  }

  private use(face: Face, style: Style): void {
    this.doc.font(face).fontSize(style.size);
  }

  /** The direction a text reads in: its own (first strong character), else the document's. */
  direction(text: string): Direction {
    return directionOf(text, this.rtl ? 'rtl' : 'ltr');
  }

  width(text: string, style: Style): number {
    let width = 0;
    for (const run of fontRuns(text.replace(BIDI_CONTROLS, ''), Boolean(style.bold))) {
      this.use(run.face, style);
      width += this.doc.widthOfString(run.text, WHOLE_RUN);
    }
    return width;
  }

  /**
   * Draws one line (no wrapping) with its top at `top`, starting at `x` or ending at `x` when
   * right-aligned (both in left-to-right page coordinates; mirrored on a right-to-left page).
   * `direction` is the paragraph's, when the line is part of one.
   */
  draw(text: string, x: number, top: number, style: Style, align: Align = 'left', direction?: Direction): void {
    if (!text) return;
    const doc = this.doc;
    const runs = visualPieces(text, direction ?? this.direction(text), Boolean(style.bold));
    if (this.rtl) {
      x = PAGE.width - x;
      align = align === 'left' ? 'right' : 'left';
    }
    let cx = align === 'right' ? x - this.width(text, style) : x;
    const baseline = top + (lineHeight(style) - style.size * FONT_HEIGHT) / 2 + style.size * ASCENT;
    const color = style.color ?? COLOR.text;
    for (const run of runs) {
      this.use(run.face, style);
      // The CJK font has no bold: emulate it by stroking the outline too.
      const fauxBold = Boolean(style.bold) && run.face === 'cjk';
      if (fauxBold) doc.lineWidth(style.size * 0.035).strokeColor(color);
      doc.fillColor(color).text(run.text, cx, baseline, {
        ...WHOLE_RUN,
        lineBreak: false,
        baseline: 'alphabetic',
        fill: true,
        stroke: fauxBold,
      });
      cx += doc.widthOfString(run.text, WHOLE_RUN);
    }
  }

  /** Lines of at most `maxWidth`, breaking at spaces and CJK characters, and inside words too long for a line. */
  wrap(text: string, maxWidth: number, style: Style): string[] {
    const lines: string[] = [];
    for (const paragraph of clean(text).split('\n')) {
      let line = '';
      for (const token of paragraph.match(TOKEN) ?? []) {
        if (/^\s/u.test(token)) {
          if (line) line += ' ';
          continue;
        }
        if (this.width(line + token, style) <= maxWidth) {
          line += token;
          continue;
        }
        if (line.trim()) lines.push(line.trimEnd());
        line = '';
        if (this.width(token, style) <= maxWidth) {
          line = token;
          continue;
        }
        // A word wider than the line (a long URL, an id): break between graphemes.
        for (const { segment } of graphemes.segment(token)) {
          if (line && this.width(line + segment, style) > maxWidth) {
            lines.push(line);
            line = '';
          }
          line += segment;
        }
      }
      lines.push(line.trimEnd());
    }
    // Keep inner empty lines (paragraph breaks) but none at the ends.
    while (lines.length && !lines[lines.length - 1]) lines.pop();
    while (lines.length && !lines[0]) lines.shift();
    return lines;
  }

  /**
   * Starts a new page when `height` more points do not fit on this one, unless this page has
   * next to nothing on it yet (so something taller than a page cannot break page after page).
   */
  ensure(height: number): void {
    if (this.y + height > BOTTOM && this.y > MARGIN.top + 40) this.newPage();
  }

  newPage(): void {
    this.doc.addPage();
    this.y = MARGIN.top;
    this.draw(this.runningTitle, MARGIN.left, this.y, SMALL_MUTED);
    this.y += lineHeight(SMALL_MUTED) + 14;
    this.onNewPage?.();
  }

  /** Draws wrapped text at the cursor, flowing onto new pages. */
  paragraph(text: string, x: number, maxWidth: number, style: Style): void {
    const direction = this.direction(clean(text));
    for (const line of this.wrap(text, maxWidth, style)) {
      this.ensure(lineHeight(style));
      this.draw(line, x, this.y, style, 'left', direction);
      this.y += lineHeight(style);
    }
  }

  rule(y: number, color = COLOR.rule, width = 0.75, x1 = MARGIN.left, x2 = RIGHT): void {
    if (this.rtl) [x1, x2] = [PAGE.width - x2, PAGE.width - x1];
    this.doc.save().moveTo(x1, y).lineTo(x2, y).lineWidth(width).strokeColor(color).stroke().restore();
  }

  fill(x: number, y: number, width: number, height: number, color: string): void {
    if (this.rtl) x = PAGE.width - x - width;
    this.doc.save().rect(x, y, width, height).fill(color).restore();
  }

  /** A style whose size is reduced, down to 80 %, until `text` fits `maxWidth` (column headers in long languages). */
  fit(text: string, maxWidth: number, style: Style): Style {
    const width = this.width(text, style);
    return width <= maxWidth ? style : { ...style, size: Math.max(style.size * 0.8, (style.size * maxWidth) / width) };
  }
}

// ─── formatting ─────────────────────────────────────────────────────────────────────────

interface Formatters {
  money(amount: number): string;
  date(date: Date): string;
  period(start: Date, end: Date): string;
  quantity(quantity: number): string;
}

/** Money, dates and quantities in the document's locale (an unsupported locale means English). */
function formatters(tr: Translator, currency: string): Formatters {
  const dates = new Intl.DateTimeFormat(tr.locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
  const numbers = new Intl.NumberFormat(tr.locale, { maximumFractionDigits: 4 });
  return {
    money: (amount) => tr.money(amount, currency),
    date: (date) => dates.format(date),
    period: (start, end) => dates.formatRange(start, end),
    quantity: (quantity) => numbers.format(quantity),
  };
}

/** Labels drawn in small capitals ("BILL TO"), in the language's own upper case. */
const upper = (tr: Translator, text: string) => text.toLocaleUpperCase(tr.locale);

function partyHeading(party: DocumentParty, tr: Translator): { heading: string; rest: string[] } {
  const name = clean(party.name).trim();
  const company = clean(party.company).trim();
  const heading = name || company;
  const rest: string[] = [];
  if (name && company && company !== name) rest.push(company);
  rest.push(...party.address_lines.map((l) => clean(l).trim()).filter(Boolean));
  if (party.tax_id?.trim()) rest.push(tr.t('pdf.taxId', { id: clean(party.tax_id).trim() }));
  if (party.email?.trim()) rest.push(clean(party.email).trim());
  return { heading, rest };
}

// ─── sections ───────────────────────────────────────────────────────────────────────────

interface Kind {
  title: string;
  number: string;
  meta: Array<[label: string, value: string, style?: Style]>;
  /** One prominent line under "Bill to", e.g. "€88.60 paid on Mar 2, 2025". */
  summary: string | null;
}

const META_WIDTH = 230;
const SELLER_WIDTH = CONTENT_WIDTH - META_WIDTH - 30;

/** Seller top-left; title, number and dates top-right; then "Bill to". */
function header(canvas: Canvas, doc: InvoiceDocument, kind: Kind): void {
  const top = canvas.y;
  const metaX = RIGHT - META_WIDTH;

  // Right: title and the key facts, label left and value right within the column.
  const title: Style = { size: 22, bold: true };
  canvas.draw(kind.title, RIGHT, top - 4, title, 'right');
  let metaY = top + lineHeight(title) + 2;
  for (const [label, value, style] of kind.meta) {
    const valueStyle = style ?? BODY;
    const labelWidth = canvas.width(label, { ...BODY, color: COLOR.muted }) + 12;
    canvas.draw(label, metaX, metaY, { ...BODY, color: COLOR.muted });
    const lines = canvas.wrap(value, META_WIDTH - labelWidth, valueStyle);
    for (const line of lines) {
      canvas.draw(line, RIGHT, metaY, valueStyle, 'right');
      metaY += lineHeight(valueStyle);
    }
    if (!lines.length) metaY += lineHeight(valueStyle);
  }

  // Left: the seller.
  const seller = partyHeading(doc.seller, canvas.tr);
  const startPage = canvas.doc.bufferedPageRange().count;
  canvas.paragraph(seller.heading, MARGIN.left, SELLER_WIDTH, { size: 13, bold: true });
  canvas.y += 2;
  for (const line of seller.rest) canvas.paragraph(line, MARGIN.left, SELLER_WIDTH, { ...BODY, color: COLOR.muted });
  if (canvas.doc.bufferedPageRange().count === startPage) canvas.y = Math.max(canvas.y, metaY);

  // Bill to.
  const billTo = partyHeading(doc.bill_to, canvas.tr);
  if (billTo.heading || billTo.rest.length) {
    canvas.y += 28;
    canvas.ensure(lineHeight(LABEL) + lineHeight(BODY) * 2);
    canvas.draw(upper(canvas.tr, canvas.tr.t('pdf.billTo')), MARGIN.left, canvas.y, LABEL);
    canvas.y += lineHeight(LABEL) + 2;
    canvas.paragraph(billTo.heading, MARGIN.left, SELLER_WIDTH, { size: 10.5, bold: true });
    for (const line of billTo.rest) canvas.paragraph(line, MARGIN.left, SELLER_WIDTH, BODY);
  }

  if (kind.summary) {
    canvas.y += 22;
    canvas.paragraph(kind.summary, MARGIN.left, CONTENT_WIDTH, { size: 15, bold: true });
  }
}

const COLUMN = {
  amount: { right: RIGHT - 8, width: 88 },
  unit: { right: RIGHT - 8 - 88 - 12, width: 88 },
  qty: { right: RIGHT - 8 - 2 * (88 + 12), width: 40 },
};
const DESC_X = MARGIN.left + 8;
const DESC_WIDTH = COLUMN.qty.right - COLUMN.qty.width - 16 - DESC_X;

function tableHeader(canvas: Canvas): void {
  const height = 22;
  const { tr } = canvas;
  canvas.fill(MARGIN.left, canvas.y, CONTENT_WIDTH, height, COLOR.headerFill);
  const top = canvas.y + (height - lineHeight(LABEL)) / 2;
  const label = (key: 'pdf.description' | 'pdf.quantity' | 'pdf.unitPrice' | 'pdf.amount', x: number, width: number, align: Align) => {
    const text = upper(tr, tr.t(key));
    canvas.draw(text, x, top, canvas.fit(text, width, LABEL), align);
  };
  label('pdf.description', DESC_X, DESC_WIDTH, 'left');
  label('pdf.quantity', COLUMN.qty.right, COLUMN.qty.width + 12, 'right');
  label('pdf.unitPrice', COLUMN.unit.right, COLUMN.unit.width, 'right');
  label('pdf.amount', COLUMN.amount.right, COLUMN.amount.width, 'right');
  canvas.y += height + 4;
}

/** The lines table; it flows onto further pages with its header repeated. */
function linesTable(canvas: Canvas, doc: InvoiceDocument, f: Formatters): void {
  canvas.y += 26;
  canvas.ensure(22 + 4 + 3 * lineHeight(BODY));
  tableHeader(canvas);
  canvas.onNewPage = () => tableHeader(canvas);
  for (const line of doc.lines) tableRow(canvas, line, f);
  canvas.onNewPage = null;
}

function tableRow(canvas: Canvas, line: DocumentLine, f: Formatters): void {
  const padding = 6;
  const description = canvas.wrap(line.description, DESC_WIDTH, BODY);
  if (!description.length) description.push('—');
  const direction = canvas.direction(clean(line.description));
  const period = line.period ? canvas.tr.t('pdf.servicePeriod', { period: f.period(line.period.start, line.period.end) }) : null;
  const height = description.length * lineHeight(BODY) + (period ? lineHeight(SMALL_MUTED) : 0) + 2 * padding;
  // A row moves whole to the next page unless it is taller than a page, then its text flows.
  if (height <= PAGE_CAPACITY) canvas.ensure(height);
  else canvas.ensure(padding + 2 * lineHeight(BODY));

  canvas.y += padding;
  canvas.draw(f.quantity(line.quantity), COLUMN.qty.right, canvas.y, BODY, 'right');
  canvas.draw(f.money(line.unit_amount), COLUMN.unit.right, canvas.y, BODY, 'right');
  canvas.draw(f.money(line.amount), COLUMN.amount.right, canvas.y, BODY, 'right');
  for (const text of description) {
    canvas.ensure(lineHeight(BODY));
    canvas.draw(text, DESC_X, canvas.y, BODY, 'left', direction);
    canvas.y += lineHeight(BODY);
  }
  if (period) {
    canvas.ensure(lineHeight(SMALL_MUTED));
    canvas.draw(period, DESC_X, canvas.y, SMALL_MUTED);
    canvas.y += lineHeight(SMALL_MUTED);
  }
  canvas.y += padding;
  canvas.rule(canvas.y);
}

interface TotalRow {
  label: string;
  amount: string;
  /** Bold, for the totals a reader looks for. */
  strong?: boolean;
  /** A rule above the row (the grand total). */
  ruled?: boolean;
}

const TOTALS_WIDTH = 250;
const STRONG: Style = { size: 10.5, bold: true };
const TOTALS_GAP = 5;

interface LaidOutRow extends TotalRow {
  lines: string[];
  style: Style;
}

/** Wraps the labels of a totals block (a long tax label wraps, the amount stays on its first line). */
function layoutTotals(canvas: Canvas, rows: TotalRow[]): { rows: LaidOutRow[]; height: number } {
  const labelWidth = COLUMN.amount.right - (RIGHT - TOTALS_WIDTH) - COLUMN.amount.width - 8;
  const laidOut = rows.map((row) => {
    const style = row.strong ? STRONG : BODY;
    const lines = canvas.wrap(row.label, labelWidth, style);
    return { ...row, style, lines: lines.length ? lines : [''] };
  });
  const height = laidOut.reduce((h, r) => h + r.lines.length * lineHeight(r.style) + TOTALS_GAP + (r.ruled ? 8 : 0), 0);
  return { rows: laidOut, height };
}

/** Label and amount rows under the table's amount column, kept together on one page. */
function totalsBlock(canvas: Canvas, rows: TotalRow[]): void {
  const laidOut = layoutTotals(canvas, rows);
  canvas.ensure(laidOut.height);
  drawTotals(canvas, laidOut.rows);
}

function drawTotals(canvas: Canvas, rows: LaidOutRow[]): void {
  const leftX = RIGHT - TOTALS_WIDTH;
  for (const row of rows) {
    if (row.ruled) {
      canvas.rule(canvas.y + 1, COLOR.strongRule, 0.75, leftX, RIGHT);
      canvas.y += 8;
    }
    canvas.draw(row.amount, COLUMN.amount.right, canvas.y, row.style, 'right');
    for (const line of row.lines) {
      canvas.draw(line, leftX + 8, canvas.y, row.style);
      canvas.y += lineHeight(row.style);
    }
    canvas.y += TOTALS_GAP;
  }
}

function totalRows(doc: InvoiceDocument, f: Formatters, tr: Translator): TotalRow[] {
  const rows: TotalRow[] = [{ label: tr.t('pdf.subtotal'), amount: f.money(doc.subtotal) }];
  if (doc.discount_amount !== 0) rows.push({ label: tr.t('pdf.discount'), amount: f.money(-Math.abs(doc.discount_amount)) });
  if (doc.tax_label || doc.tax_amount !== 0) rows.push({ label: taxLabel(clean(doc.tax_label).trim(), tr) || tr.t('pdf.tax'), amount: f.money(doc.tax_amount) });
  if (doc.credit_amount !== 0) rows.push({ label: tr.t('pdf.creditsApplied'), amount: f.money(-Math.abs(doc.credit_amount)) });
  rows.push({ label: tr.t('pdf.total'), amount: f.money(doc.total), strong: true, ruled: true });
  return rows;
}

function taxNote(canvas: Canvas, doc: InvoiceDocument): void {
  const stored = clean(doc.tax_note).trim();
  // The notice we write ourselves reads in the document's language; a merchant's own stays as written.
  const note = stored === REVERSE_CHARGE_NOTE ? canvas.tr.t('pdf.reverseCharge') : stored;
  if (!note) return;
  canvas.y += 16;
  canvas.ensure(2 * lineHeight(BODY));
  canvas.paragraph(note, MARGIN.left, CONTENT_WIDTH, { size: 8.5, color: COLOR.muted });
}

const REFUND_ROW = lineHeight(BODY) + 10;
const SECTION_TITLE: Style = { size: 11, bold: true };

/** Each refund (date, where it went, amount) and the total refunded; kept on one page when it fits. */
function refundsSection(canvas: Canvas, doc: ReceiptDocument, f: Formatters): void {
  if (!doc.refunds.length && doc.amount_refunded === 0) return;
  const { tr } = canvas;
  const total = layoutTotals(canvas, [{ label: tr.t('pdf.totalRefunded'), amount: f.money(-Math.abs(doc.amount_refunded)), strong: true }]);
  const dates = doc.refunds.map((r) => f.date(r.created_at));
  const toX = DESC_X + Math.max(110, ...dates.map((d) => canvas.width(d, BODY) + 16));
  const titleHeight = lineHeight(SECTION_TITLE) + 4;
  const height = titleHeight + doc.refunds.length * REFUND_ROW + 8 + total.height;
  canvas.y += 24;
  canvas.ensure(height <= PAGE_CAPACITY ? height : titleHeight + REFUND_ROW);
  canvas.draw(tr.t('pdf.refunds'), MARGIN.left, canvas.y, SECTION_TITLE);
  canvas.y += titleHeight;
  canvas.rule(canvas.y);
  for (const [i, refund] of doc.refunds.entries()) {
    canvas.ensure(REFUND_ROW);
    canvas.y += 5;
    canvas.draw(dates[i]!, DESC_X, canvas.y, BODY);
    canvas.draw(tr.t(refund.destination === 'wallet' ? 'pdf.refundToWallet' : 'pdf.refundToCard'), toX, canvas.y, BODY);
    canvas.draw(f.money(-Math.abs(refund.amount)), COLUMN.amount.right, canvas.y, BODY, 'right');
    canvas.y += REFUND_ROW - 5;
    canvas.rule(canvas.y);
  }
  canvas.y += 8;
  canvas.ensure(total.height);
  drawTotals(canvas, total.rows);
}

/** "Page n of N" and the document's number at the bottom of every page. */
function footers(canvas: Canvas, label: string): void {
  const { start, count } = canvas.doc.bufferedPageRange();
  for (let i = 0; i < count; i += 1) {
    canvas.doc.switchToPage(start + i);
    const top = PAGE.height - MARGIN.bottom + 28;
    canvas.rule(top - 8);
    canvas.draw(label, MARGIN.left, top, SMALL_MUTED);
    canvas.draw(canvas.tr.t('pdf.page', { page: i + 1, pages: count }), RIGHT, top, SMALL_MUTED, 'right');
  }
}

// ─── documents ──────────────────────────────────────────────────────────────────────────

/** Labels in the document's language; values interpolated into them keep their own direction (isolates). */
const documentTranslator = (doc: InvoiceDocument) => translator(doc.locale, { isolate: true });

function render(doc: InvoiceDocument, kind: Kind, body: (canvas: Canvas, f: Formatters) => void): Promise<Buffer> {
  const all = fonts();
  const tr = documentTranslator(doc);
  const f = formatters(tr, doc.currency);
  const label = `${kind.title} ${clean(kind.number)}`;
  const author = plain(doc.seller.company) || plain(doc.seller.name);
  const pdf = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    autoFirstPage: true,
    lang: tr.locale,
    displayTitle: true,
    info: {
      Title: plain(label),
      ...(author ? { Author: author, Subject: plain(tr.t('pdf.from', { title: label, seller: author })) } : {}),
      Creator: 'customer-portal',
      Producer: 'customer-portal (PDFKit)',
      CreationDate: doc.issued_at,
      ModDate: doc.issued_at,
    },
  });
  // pdfkit's types only list file paths and buffers, but it takes a fontkit font object too.
  for (const face of Object.keys(all) as Face[]) {
    pdf.registerFont(face, all[face] as unknown as PDFKit.Mixins.PDFFontSource);
  }
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  const canvas = new Canvas(pdf, tr.t('pdf.continued', { title: label }), tr);
  header(canvas, doc, kind);
  linesTable(canvas, doc, f);
  body(canvas, f);
  footers(canvas, label);
  pdf.end();
  return done;
}

export function renderInvoicePdf(doc: InvoiceDocument): Promise<Buffer> {
  const tr = documentTranslator(doc);
  const f = formatters(tr, doc.currency);
  const meta: Kind['meta'] = [
    [tr.t('pdf.invoiceNumber'), clean(doc.invoice_number)],
    [tr.t('pdf.dateOfIssue'), f.date(doc.issued_at)],
    [tr.t('pdf.status'), tr.t(`status.${doc.status}`), { ...BODY, bold: true, color: STATUS_COLOR[doc.status] ?? COLOR.text }],
  ];
  if (doc.paid_at) meta.push([tr.t('pdf.datePaid'), f.date(doc.paid_at)]);
  const summary =
    doc.status === 'pending' || doc.status === 'failed'
      ? tr.t('pdf.summaryDue', { amount: f.money(doc.total) })
      : doc.status !== 'void' && doc.paid_at
        ? tr.t('pdf.summaryPaid', { amount: f.money(doc.total), date: f.date(doc.paid_at) })
        : null;
  return render(doc, { title: tr.t('pdf.invoice'), number: doc.invoice_number, meta, summary }, (canvas) => {
    canvas.y += 14;
    const rows = totalRows(doc, f, tr);
    if (doc.status === 'pending' || doc.status === 'failed') rows.push({ label: tr.t('pdf.amountDue'), amount: f.money(doc.total), strong: true });
    else if (doc.status !== 'void' && doc.paid_at) rows.push({ label: tr.t('pdf.amountPaid'), amount: f.money(doc.total), strong: true });
    totalsBlock(canvas, rows);
    taxNote(canvas, doc);
  });
}

export function renderReceiptPdf(doc: ReceiptDocument): Promise<Buffer> {
  const tr = documentTranslator(doc);
  const f = formatters(tr, doc.currency);
  const last4 = clean(doc.payment_method?.last4).trim();
  const method = doc.payment_method ? `${cardBrandName(doc.payment_method.brand, tr.t('pdf.card'))}${last4 ? ` •••• ${last4}` : ''}` : null;
  const meta: Kind['meta'] = [
    [tr.t('pdf.receiptNumber'), clean(doc.receipt_number)],
    [tr.t('pdf.invoiceNumber'), clean(doc.invoice_number)],
    [tr.t('pdf.paidOn'), f.date(doc.paid_at)],
  ];
  if (method) meta.push([tr.t('pdf.paymentMethod'), method]);
  const summary = tr.t('pdf.summaryPaid', { amount: f.money(doc.total), date: f.date(doc.paid_at) });
  return render(doc, { title: tr.t('pdf.receipt'), number: doc.receipt_number, meta, summary }, (canvas) => {
    canvas.y += 14;
    totalsBlock(canvas, [...totalRows(doc, f, tr), { label: tr.t('pdf.amountPaid'), amount: f.money(doc.total), strong: true }]);
    taxNote(canvas, doc);
    refundsSection(canvas, doc, f);
  });
}
