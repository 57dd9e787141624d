// Invoice and receipt PDFs (pdfkit): the sections of each document drawn on the Canvas
// (pdf-canvas.ts) with the fonts and text runs of pdf-text.ts. Every value drawn comes from
// the document; the labels, money and dates are in the document's locale (server/i18n).
import PDFDocument from 'pdfkit';
import { translator, type Translator } from '../../i18n/index.js';
import { REVERSE_CHARGE_NOTE } from '../billing/tax.js';
import type { DocumentLine, DocumentParty, InvoiceDocument, ReceiptDocument } from './documents.js';
import {
  BODY,
  Canvas,
  COLOR,
  CONTENT_WIDTH,
  formatters,
  LABEL,
  lineHeight,
  MARGIN,
  PAGE,
  PAGE_CAPACITY,
  RIGHT,
  SMALL_MUTED,
  upper,
  type Align,
  type Formatters,
  type Style,
} from './pdf-canvas.js';
import { clean, fonts, plain, type Face } from './pdf-text.js';

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

const STATUS_COLOR: Record<InvoiceDocument['status'], string> = {
  paid: '#15803d',
  pending: '#b45309',
  requires_action: '#b45309',
  failed: '#b91c1c',
  refunded: '#4b5563',
  partially_refunded: '#4b5563',
  void: '#4b5563',
  carried_forward: '#4b5563',
};

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
  if (doc.tax_label || doc.tax_amount !== 0)
    rows.push({ label: taxLabel(clean(doc.tax_label).trim(), tr) || tr.t('pdf.tax'), amount: f.money(doc.tax_amount) });
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
    doc.status === 'pending' || doc.status === 'requires_action' || doc.status === 'failed'
      ? tr.t('pdf.summaryDue', { amount: f.money(doc.total) })
      : doc.status !== 'void' && doc.paid_at
        ? tr.t('pdf.summaryPaid', { amount: f.money(doc.total), date: f.date(doc.paid_at) })
        : null;
  return render(doc, { title: tr.t('pdf.invoice'), number: doc.invoice_number, meta, summary }, (canvas) => {
    canvas.y += 14;
    const rows = totalRows(doc, f, tr);
    if (doc.status === 'pending' || doc.status === 'requires_action' || doc.status === 'failed')
      rows.push({ label: tr.t('pdf.amountDue'), amount: f.money(doc.total), strong: true });
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
