// Invoice and receipt PDFs (pdfkit). Every value drawn comes from the document; the labels
// are English for now (the locale drives money and dates). Text is laid out here (measure,
// wrap, page breaks), not by pdfkit's wrapper, because a line is drawn as runs in different fonts:
//   - DejaVu Sans (regular, bold) covers Latin, Greek, Cyrillic, Arabic, Hebrew, Armenian,
//     Georgian and the currency and punctuation signs;
//   - Droid Sans Fallback covers Chinese, Japanese and Korean, and is only embedded in a
//     PDF that has such a run (pdfkit subsets both, so a PDF carries only the glyphs used).
// Characters neither font has (Thai, Devanagari, most emoji, …) are drawn with DejaVu's
// missing-glyph box. Right-to-left text gets shaped glyphs but no bidi reordering yet.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import PDFDocument from 'pdfkit';
import { formatMoney } from '../billing/money.js';
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

// ─── labels (English for now; the document's locale drives money and dates) ─────────────

const STATUS_LABEL: Record<InvoiceDocument['status'], string> = {
  paid: 'Paid',
  pending: 'Pending',
  failed: 'Payment failed',
  refunded: 'Refunded',
  partially_refunded: 'Partially refunded',
  void: 'Void',
};

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
export function cardBrandName(brand: string): string {
  const key = brand.trim().toLowerCase();
  const known = CARD_BRANDS[key];
  if (known) return known;
  const words = key.split(/[\s_-]+/).filter(Boolean);
  return words.length ? words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ') : 'Card';
}

// ─── text: cleaning, font runs, measuring, wrapping ─────────────────────────────────────

/**
 * Text as it will be drawn: NFC (so "ë" is one glyph), newlines kept as hard breaks, tabs as
 * spaces, control and invisible format characters (bidi marks, soft hyphens) removed since
 * they have no glyph; ZWJ/ZWNJ stay for Arabic shaping.
 */
function clean(text: string | null | undefined): string {
  if (!text) return '';
  return text
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    .replace(/(?![\n\u200c\u200d])[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu, '');
}

interface Run {
  text: string;
  face: Face;
}

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

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Where a line may break: spaces, and around every Han, kana and CJK punctuation character. */
const TOKEN = /\s+|[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef]|[^\s\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef]+/gu;

class Canvas {
  y = MARGIN.top;
  /** Called after a page break (the table uses it to repeat its header). */
  onNewPage: (() => void) | null = null;

  constructor(
    readonly doc: PDFKit.PDFDocument,
    private readonly runningTitle: string,
  ) {}

  private use(face: Face, style: Style): void {
    this.doc.font(face).fontSize(style.size);
  }

  width(text: string, style: Style): number {
    let width = 0;
    for (const run of fontRuns(text, Boolean(style.bold))) {
      this.use(run.face, style);
      width += this.doc.widthOfString(run.text);
    }
    return width;
  }

  /** Draws one line (no wrapping) with its top at `top`, starting at `x` or ending at `x` when right-aligned. */
  draw(text: string, x: number, top: number, style: Style, align: Align = 'left'): void {
    if (!text) return;
    const doc = this.doc;
    const runs = fontRuns(text, Boolean(style.bold));
    let cx = align === 'right' ? x - this.width(text, style) : x;
    const baseline = top + (lineHeight(style) - style.size * FONT_HEIGHT) / 2 + style.size * ASCENT;
    const color = style.color ?? COLOR.text;
    for (const run of runs) {
      this.use(run.face, style);
      // The CJK font has no bold: emulate it by stroking the outline too.
      const fauxBold = Boolean(style.bold) && run.face === 'cjk';
      if (fauxBold) doc.lineWidth(style.size * 0.035).strokeColor(color);
      doc.fillColor(color).text(run.text, cx, baseline, {
        lineBreak: false,
        baseline: 'alphabetic',
        fill: true,
        stroke: fauxBold,
      });
      cx += doc.widthOfString(run.text);
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
    for (const line of this.wrap(text, maxWidth, style)) {
      this.ensure(lineHeight(style));
      this.draw(line, x, this.y, style);
      this.y += lineHeight(style);
    }
  }

  rule(y: number, color = COLOR.rule, width = 0.75, x1 = MARGIN.left, x2 = RIGHT): void {
    this.doc.save().moveTo(x1, y).lineTo(x2, y).lineWidth(width).strokeColor(color).stroke().restore();
  }
}

// ─── formatting ─────────────────────────────────────────────────────────────────────────

interface Formatters {
  money(amount: number): string;
  date(date: Date): string;
  period(start: Date, end: Date): string;
  quantity(quantity: number): string;
}

function formatters(doc: InvoiceDocument): Formatters {
  const locale = safeLocale(doc.locale);
  const dates = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
  const numbers = new Intl.NumberFormat(locale, { maximumFractionDigits: 4 });
  return {
    money: (amount) => formatMoney(amount, doc.currency, locale),
    date: (date) => dates.format(date),
    period: (start, end) => dates.formatRange(start, end),
    quantity: (quantity) => numbers.format(quantity),
  };
}

/** The document's locale when Intl knows it, else English (a bad locale must not break a PDF). */
function safeLocale(locale: string): string {
  try {
    return Intl.getCanonicalLocales(locale)[0] ?? 'en';
  } catch {
    return 'en';
  }
}

function partyHeading(party: DocumentParty): { heading: string; rest: string[] } {
  const name = clean(party.name).trim();
  const company = clean(party.company).trim();
  const heading = name || company;
  const rest: string[] = [];
  if (name && company && company !== name) rest.push(company);
  rest.push(...party.address_lines.map((l) => clean(l).trim()).filter(Boolean));
  if (party.tax_id?.trim()) rest.push(`Tax ID: ${clean(party.tax_id).trim()}`);
  if (party.email?.trim()) rest.push(clean(party.email).trim());
  return { heading, rest };
}

// ─── sections ───────────────────────────────────────────────────────────────────────────

interface Kind {
  title: 'Invoice' | 'Receipt';
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
  const seller = partyHeading(doc.seller);
  const startPage = canvas.doc.bufferedPageRange().count;
  canvas.paragraph(seller.heading, MARGIN.left, SELLER_WIDTH, { size: 13, bold: true });
  canvas.y += 2;
  for (const line of seller.rest) canvas.paragraph(line, MARGIN.left, SELLER_WIDTH, { ...BODY, color: COLOR.muted });
  if (canvas.doc.bufferedPageRange().count === startPage) canvas.y = Math.max(canvas.y, metaY);

  // Bill to.
  const billTo = partyHeading(doc.bill_to);
  if (billTo.heading || billTo.rest.length) {
    canvas.y += 28;
    canvas.ensure(lineHeight(LABEL) + lineHeight(BODY) * 2);
    canvas.draw('BILL TO', MARGIN.left, canvas.y, LABEL);
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
  canvas.doc.save().rect(MARGIN.left, canvas.y, CONTENT_WIDTH, height).fill(COLOR.headerFill).restore();
  const top = canvas.y + (height - lineHeight(LABEL)) / 2;
  canvas.draw('DESCRIPTION', DESC_X, top, LABEL);
  canvas.draw('QTY', COLUMN.qty.right, top, LABEL, 'right');
  canvas.draw('UNIT PRICE', COLUMN.unit.right, top, LABEL, 'right');
  canvas.draw('AMOUNT', COLUMN.amount.right, top, LABEL, 'right');
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
  const period = line.period ? f.period(line.period.start, line.period.end) : null;
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
    canvas.draw(text, DESC_X, canvas.y, BODY);
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

function totalRows(doc: InvoiceDocument, f: Formatters): TotalRow[] {
  const rows: TotalRow[] = [{ label: 'Subtotal', amount: f.money(doc.subtotal) }];
  if (doc.discount_amount !== 0) rows.push({ label: 'Discount', amount: f.money(-Math.abs(doc.discount_amount)) });
  if (doc.tax_label || doc.tax_amount !== 0) rows.push({ label: clean(doc.tax_label) || 'Tax', amount: f.money(doc.tax_amount) });
  if (doc.credit_amount !== 0) rows.push({ label: 'Credits applied', amount: f.money(-Math.abs(doc.credit_amount)) });
  rows.push({ label: 'Total', amount: f.money(doc.total), strong: true, ruled: true });
  return rows;
}

function taxNote(canvas: Canvas, doc: InvoiceDocument): void {
  const note = clean(doc.tax_note).trim();
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
  const total = layoutTotals(canvas, [
    { label: 'Total refunded', amount: f.money(-Math.abs(doc.amount_refunded)), strong: true },
  ]);
  const titleHeight = lineHeight(SECTION_TITLE) + 4;
  const height = titleHeight + doc.refunds.length * REFUND_ROW + 8 + total.height;
  canvas.y += 24;
  canvas.ensure(height <= PAGE_CAPACITY ? height : titleHeight + REFUND_ROW);
  canvas.draw('Refunds', MARGIN.left, canvas.y, SECTION_TITLE);
  canvas.y += titleHeight;
  canvas.rule(canvas.y);
  for (const refund of doc.refunds) {
    canvas.ensure(REFUND_ROW);
    canvas.y += 5;
    canvas.draw(f.date(refund.created_at), DESC_X, canvas.y, BODY);
    const to = refund.destination === 'wallet' ? 'Refund as wallet credit' : 'Refund to card';
    canvas.draw(to, DESC_X + 110, canvas.y, BODY);
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
    canvas.draw(`Page ${i + 1} of ${count}`, RIGHT, top, SMALL_MUTED, 'right');
  }
}

// ─── documents ──────────────────────────────────────────────────────────────────────────

function render(doc: InvoiceDocument, kind: Kind, body: (canvas: Canvas, f: Formatters) => void): Promise<Buffer> {
  const all = fonts();
  const f = formatters(doc);
  const label = `${kind.title} ${clean(kind.number)}`;
  const author = clean(doc.seller.company) || clean(doc.seller.name);
  const pdf = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    autoFirstPage: true,
    lang: safeLocale(doc.locale),
    displayTitle: true,
    info: {
      Title: label,
      ...(author ? { Author: author, Subject: `${label} from ${author}` } : {}),
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
  const canvas = new Canvas(pdf, `${label} (continued)`);
  header(canvas, doc, kind);
  linesTable(canvas, doc, f);
  body(canvas, f);
  footers(canvas, label);
  pdf.end();
  return done;
}

export function renderInvoicePdf(doc: InvoiceDocument): Promise<Buffer> {
  const f = formatters(doc);
  const meta: Kind['meta'] = [
    ['Invoice number', clean(doc.invoice_number)],
    ['Date of issue', f.date(doc.issued_at)],
    ['Status', STATUS_LABEL[doc.status] ?? doc.status, { ...BODY, bold: true, color: STATUS_COLOR[doc.status] ?? COLOR.text }],
  ];
  if (doc.paid_at) meta.push(['Date paid', f.date(doc.paid_at)]);
  const summary =
    doc.status === 'pending' || doc.status === 'failed'
      ? `${f.money(doc.total)} due`
      : doc.status !== 'void' && doc.paid_at
        ? `${f.money(doc.total)} paid on ${f.date(doc.paid_at)}`
        : null;
  return render(doc, { title: 'Invoice', number: doc.invoice_number, meta, summary }, (canvas) => {
    canvas.y += 14;
    const rows = totalRows(doc, f);
    if (doc.status === 'pending' || doc.status === 'failed') rows.push({ label: 'Amount due', amount: f.money(doc.total), strong: true });
    else if (doc.status !== 'void' && doc.paid_at) rows.push({ label: 'Amount paid', amount: f.money(doc.total), strong: true });
    totalsBlock(canvas, rows);
    taxNote(canvas, doc);
  });
}

export function renderReceiptPdf(doc: ReceiptDocument): Promise<Buffer> {
  const f = formatters(doc);
  const last4 = clean(doc.payment_method?.last4).trim();
  const method = doc.payment_method ? `${cardBrandName(doc.payment_method.brand)}${last4 ? ` •••• ${last4}` : ''}` : null;
  const meta: Kind['meta'] = [
    ['Receipt number', clean(doc.receipt_number)],
    ['Invoice number', clean(doc.invoice_number)],
    ['Paid on', f.date(doc.paid_at)],
  ];
  if (method) meta.push(['Payment method', method]);
  const summary = `${f.money(doc.total)} paid on ${f.date(doc.paid_at)}`;
  return render(doc, { title: 'Receipt', number: doc.receipt_number, meta, summary }, (canvas) => {
    canvas.y += 14;
    totalsBlock(canvas, [...totalRows(doc, f), { label: 'Amount paid', amount: f.money(doc.total), strong: true }]);
    taxNote(canvas, doc);
    refundsSection(canvas, doc, f);
  });
}
