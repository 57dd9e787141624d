// Renders invoices and receipts and reads them back with poppler's pdftotext (the text a
// customer's viewer would extract), so the assertions see what is really in the PDF.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { DocumentLine, InvoiceDocument, ReceiptDocument } from './documents.js';
import { cardBrandName, renderInvoicePdf, renderReceiptPdf } from './pdf.js';
import { localeCodes } from '../../../src/i18n/locales.js';
import { translator } from '../../i18n/index.js';

const dir = mkdtempSync(join(tmpdir(), 'pdf-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** Runs a poppler tool on the PDF (written to a temp file) and returns what it prints. */
function poppler(tool: 'pdftotext' | 'pdfinfo' | 'pdffonts', pdf: Buffer, args: string[] = []): string {
  files += 1;
  const path = join(dir, `doc-${files}.pdf`);
  writeFileSync(path, pdf);
  return execFileSync(tool, [...args, path, ...(tool === 'pdftotext' ? ['-'] : [])], { encoding: 'utf8' });
}

/** The PDF's text: `layout` keeps columns side by side; `raw` is drawing order (a wrapped cell's lines in a row). */
function pdfText(pdf: Buffer, mode: 'layout' | 'raw' = 'layout'): string {
  return poppler('pdftotext', pdf, [`-${mode}`, '-enc', 'UTF-8']);
}

const pdfInfo = (pdf: Buffer) => poppler('pdfinfo', pdf, ['-isodates']);
/** The fonts embedded in the PDF, one a line. */
const pdfFonts = (pdf: Buffer) => poppler('pdffonts', pdf);

/** Whitespace-insensitive: -layout spreads columns with runs of spaces. */
function squash(text: string): string {
  return text.replace(/[ \t]+/g, ' ');
}

function line(description: string, quantity: number, unit: number, period = true): DocumentLine {
  return {
    description,
    quantity,
    unit_amount: unit,
    amount: quantity * unit,
    period: period ? { start: new Date('2025-03-01T00:00:00Z'), end: new Date('2025-04-01T00:00:00Z') } : null,
  };
}

function invoice(overrides: Partial<InvoiceDocument> = {}): InvoiceDocument {
  return {
    locale: 'en',
    invoice_number: 'INV-2025-0042',
    issued_at: new Date('2025-03-01T09:30:00Z'),
    status: 'paid',
    paid_at: new Date('2025-03-02T10:00:00Z'),
    seller: {
      name: 'Acme Cloud',
      company: 'Acme Cloud GmbH',
      email: 'billing@acme.example',
      address_lines: ['Friedrichstraße 123', '10117 Berlin', 'Germany'],
      tax_id: 'DE123456789',
    },
    bill_to: {
      name: 'Zoë Łódź',
      company: 'Ærøskøbing Consulting ApS',
      email: 'zoe@example.dk',
      address_lines: ['Vestergade 1', '5970 Ærøskøbing', 'Denmark'],
      tax_id: 'DK87654321',
    },
    currency: 'EUR',
    lines: [line('Pro plan (monthly)', 1, 4900), line('Extra seats', 3, 1000), line('Setup fee', 1, 2500, false)],
    subtotal: 10_400,
    discount_amount: 1040,
    tax_label: 'VAT (0%)',
    tax_amount: 0,
    credit_amount: 500,
    total: 8860,
    tax_note: 'Reverse charge: VAT to be accounted for by the recipient (Article 196, Council Directive 2006/112/EC).',
    ...overrides,
  };
}

function receipt(overrides: Partial<ReceiptDocument> = {}): ReceiptDocument {
  return {
    ...invoice(),
    receipt_number: 'RCPT-2025-0042',
    paid_at: new Date('2025-03-02T10:00:00Z'),
    payment_method: { brand: 'visa', last4: '4242' },
    refunds: [
      { amount: 1000, created_at: new Date('2025-03-10T12:00:00Z'), destination: 'payment_method' },
      { amount: 500, created_at: new Date('2025-03-12T12:00:00Z'), destination: 'wallet' },
    ],
    amount_refunded: 1500,
    ...overrides,
  };
}

describe('invoice PDF', () => {
  test('is a PDF with its title and creation date taken from the document', async () => {
    const pdf = await renderInvoicePdf(invoice());
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    const info = pdfInfo(pdf);
    assert.match(info, /^Title:\s+Invoice INV-2025-0042$/m);
    assert.match(info, /^Author:\s+Acme Cloud GmbH$/m);
    assert.match(info, /^CreationDate:\s+2025-03-01T09:30:00/m);
    assert.match(info, /^Page size:\s+595\.28 x 841\.89 pts \(A4\)$/m);
    assert.match(info, /^Pages:\s+1$/m);
  });

  test('shows the seller, the customer, the lines, the totals and the tax note', async () => {
    const text = squash(pdfText(await renderInvoicePdf(invoice())));
    for (const expected of [
      'Invoice',
      'Invoice number INV-2025-0042',
      '€88.60 paid on Mar 2, 2025',
      'Date of issue Mar 1, 2025',
      'Status Paid',
      'Date paid Mar 2, 2025',
      'Acme Cloud GmbH',
      'Friedrichstraße 123',
      'Tax ID: DE123456789',
      'billing@acme.example',
      'BILL TO',
      'Zoë Łódź',
      'Ærøskøbing Consulting ApS',
      'Tax ID: DK87654321',
      'DESCRIPTION QTY UNIT PRICE AMOUNT',
      'Pro plan (monthly) 1 €49.00 €49.00',
      'Extra seats 3 €10.00 €30.00',
      'Setup fee 1 €25.00 €25.00',
      'Mar 1 – Apr 1, 2025',
      'Subtotal €104.00',
      'Discount -€10.40',
      'VAT (0%) €0.00',
      'Credits applied -€5.00',
      'Total €88.60',
      'Amount paid €88.60',
      'Page 1 of 1',
    ]) {
      assert.ok(text.includes(expected), `missing ${JSON.stringify(expected)} in:\n${text}`);
    }
    // The tax note is wrapped over the page width; its words come out in order.
    assert.match(text.replace(/\s+/g, ' '), /Reverse charge: VAT to be accounted for by the recipient \(Article 196, Council Directive 2006\/112\/EC\)\./);
    // Setup fee has no service period: only two lines carry one.
    assert.equal(text.match(/Mar 1 – Apr 1, 2025/g)?.length, 2);
  });

  test('leaves out zero discount, zero credits and a missing tax line; an unpaid invoice shows the amount due', async () => {
    const text = squash(
      pdfText(
        await renderInvoicePdf(
          invoice({ status: 'pending', paid_at: null, discount_amount: 0, credit_amount: 0, tax_label: null, tax_amount: 0, tax_note: null, total: 10_400 }),
        ),
      ),
    );
    assert.ok(text.includes('Status Pending'));
    assert.ok(text.includes('Amount due €104.00'));
    assert.ok(text.includes('€104.00 due'));
    for (const absent of ['Discount', 'Credits applied', 'VAT', 'Date paid', 'Amount paid', 'Reverse charge']) {
      assert.ok(!text.includes(absent), `unexpected ${absent}`);
    }
  });

  test('draws Polish, Danish, Greek, Cyrillic, Arabic, Hebrew and CJK names intact', async () => {
    const pdf = await renderInvoicePdf(
      invoice({
        seller: { name: 'Ελένη Παπαδοπούλου', company: 'Ærøskøbing ApS', email: null, address_lines: ['Ελλάδα'], tax_id: 'EL123456789' },
        bill_to: {
          name: 'Zoë Łódź',
          company: '東京 株式会社',
          email: null,
          address_lines: ['Дмитрий Иванов', '서울 주식회사', 'שלום כהן', 'محمد', '東京都千代田区丸の内1-1'],
          tax_id: null,
        },
        lines: [line('Лицензия — 年間プラン', 1, 10_000)],
      }),
    );
    const text = pdfText(pdf, 'raw');
    for (const name of [
      'Zoë Łódź',
      'Ærøskøbing ApS',
      'Ελένη Παπαδοπούλου',
      'Ελλάδα',
      'Дмитрий Иванов',
      '東京 株式会社',
      '서울 주식회사',
      '東京都千代田区丸の内1-1',
      'Лицензия — 年間プラン',
    ]) {
      assert.ok(text.includes(name), `missing ${name} in:\n${text}`);
    }
    // Right-to-left names in a left-to-right invoice: reordered for display, so they read back in logical order.
    const layout = pdfText(pdf);
    for (const word of ['שלום כהן', 'محمد']) assert.ok(layout.includes(word), `missing ${word} in:\n${layout}`);
    const fonts = pdfFonts(pdf);
    assert.match(fonts, /DejaVuSans\b/);
    assert.match(fonts, /DroidSansFallback/);
  });

  test('embeds the CJK font only when the document needs it', async () => {
    const fonts = pdfFonts(await renderInvoicePdf(invoice()));
    assert.match(fonts, /DejaVuSans-Bold/);
    assert.doesNotMatch(fonts, /DroidSansFallback/);
  });

  test('a long invoice flows onto more pages with the table header repeated', async () => {
    const lines = Array.from({ length: 60 }, (_, i) => line(`Usage line ${i + 1}`, i + 1, 150));
    const subtotal = lines.reduce((sum, l) => sum + l.amount, 0);
    const text = pdfText(await renderInvoicePdf(invoice({ lines, subtotal, discount_amount: 0, credit_amount: 0, tax_amount: 0, total: subtotal })));
    const pages = text.split('\f').filter((p) => p.trim());
    assert.ok(pages.length >= 2, `expected 2+ pages, got ${pages.length}`);
    for (const [i, page] of pages.entries()) {
      assert.match(squash(page), /DESCRIPTION QTY UNIT PRICE AMOUNT/, `page ${i + 1} has no table header`);
      assert.ok(squash(page).includes(`Page ${i + 1} of ${pages.length}`), `page ${i + 1} has no page number`);
    }
    assert.ok(squash(pages[1]!).includes('Invoice INV-2025-0042 (continued)'));
    for (let i = 1; i <= 60; i += 1) assert.ok(text.includes(`Usage line ${i}\n`) || text.includes(`Usage line ${i} `), `line ${i}`);
    assert.ok(squash(pages.at(-1)!).includes('Total €2,745.00'));
  });

  test('a JPY invoice has no decimals', async () => {
    const text = squash(
      pdfText(
        await renderInvoicePdf(
          invoice({
            currency: 'JPY',
            lines: [line('Pro plan', 2, 1200)],
            subtotal: 2400,
            discount_amount: 0,
            tax_label: 'JCT (10%)',
            tax_amount: 240,
            credit_amount: 0,
            total: 2640,
          }),
        ),
      ),
    );
    assert.ok(text.includes('Pro plan 2 ¥1,200 ¥2,400'), text);
    assert.ok(text.includes('JCT (10%) ¥240'));
    assert.ok(text.includes('Total ¥2,640'));
    assert.doesNotMatch(text, /¥[\d,]+\.\d/);
  });

  test('wraps very long descriptions and names, and survives empty and odd strings', async () => {
    const long = 'Enterprise analytics add-on with extended retention '.repeat(12).trim();
    const unbroken = 'x'.repeat(400);
    const pdf = await renderInvoicePdf(
      invoice({
        seller: { name: '', company: null, email: null, address_lines: [], tax_id: null },
        bill_to: { name: `Name ${'Very'.repeat(60)}`, company: '', email: '', address_lines: ['', 'Line\twith\u0007control\u200fchars'], tax_id: '' },
        lines: [line(long, 1, 100), line(unbroken, 1, 100), line('', 1, 100, false)],
        tax_note: '',
      }),
    );
    const joined = pdfText(pdf, 'raw').replace(/\s+/g, '');
    assert.ok(joined.includes(long.replace(/\s+/g, '')), 'long description kept whole');
    assert.ok(joined.includes(unbroken), 'unbroken word kept whole');
    assert.ok(joined.includes(`Name${'Very'.repeat(60)}`));
    const text = pdfText(pdf);
    assert.ok(text.includes('Line withcontrolchars'), 'tab as a space, control and bidi characters dropped');
    // Wrapped: no text line runs past the page (pdftotext -layout lines stay short).
    const widest = Math.max(...text.split('\n').map((l) => l.trimEnd().length));
    assert.ok(widest < 160, `a line of ${widest} characters was not wrapped`);
  });

  test('a single description taller than a page flows over pages instead of crashing', async () => {
    const huge = Array.from({ length: 400 }, (_, i) => `word${i}`)
      .join(' ')
      .repeat(3);
    const text = pdfText(await renderInvoicePdf(invoice({ lines: [line(huge, 1, 100)] })), 'raw');
    assert.ok(text.split('\f').filter((p) => p.trim()).length >= 2);
    // Every word, in order (the running header and table header sit between the pages' parts).
    assert.deepEqual(text.match(/word\d+/g), huge.match(/word\d+/g));
  });

  test('the same document renders to the same bytes, also when several render at once', async () => {
    const docs = [invoice(), invoice({ currency: 'JPY' }), invoice({ bill_to: { ...invoice().bill_to, name: '東京 株式会社' } })];
    const sequential: Buffer[] = [];
    for (const doc of docs) sequential.push(await renderInvoicePdf(doc));
    const parallel = await Promise.all(docs.map((doc) => renderInvoicePdf(doc)));
    for (const [i, pdf] of parallel.entries()) assert.ok(pdf.equals(sequential[i]!), `document ${i} differs`);
    assert.ok(!sequential[0]!.equals(sequential[1]!));
  });
});

describe('receipt PDF', () => {
  test('shows the receipt number, payment date and method, the totals and the refunds', async () => {
    const pdf = await renderReceiptPdf(receipt());
    assert.match(pdfInfo(pdf), /^Title:\s+Receipt RCPT-2025-0042$/m);
    const text = squash(pdfText(pdf));
    for (const expected of [
      'Receipt',
      'Receipt number RCPT-2025-0042',
      'Invoice number INV-2025-0042',
      'Paid on Mar 2, 2025',
      'Payment method Visa •••• 4242',
      'Zoë Łódź',
      'Pro plan (monthly) 1 €49.00 €49.00',
      'Total €88.60',
      'Amount paid €88.60',
      'Refunds',
      'Mar 10, 2025 Refund to card -€10.00',
      'Mar 12, 2025 Refund as wallet credit -€5.00',
      'Total refunded -€15.00',
      'Reverse charge',
    ]) {
      assert.ok(text.includes(expected), `missing ${JSON.stringify(expected)} in:\n${text}`);
    }
  });

  test('without refunds or a known payment method there is no refunds section', async () => {
    const text = squash(pdfText(await renderReceiptPdf(receipt({ refunds: [], amount_refunded: 0, payment_method: null }))));
    assert.ok(text.includes('Amount paid €88.60'));
    for (const absent of ['Refunds', 'Total refunded', 'Payment method']) assert.ok(!text.includes(absent), `unexpected ${absent}`);
  });

  test('card brands are shown by name', () => {
    assert.equal(cardBrandName('visa'), 'Visa');
    assert.equal(cardBrandName('amex'), 'American Express');
    assert.equal(cardBrandName('mastercard'), 'Mastercard');
    assert.equal(cardBrandName('some_new_brand'), 'Some New Brand');
    assert.equal(cardBrandName(''), 'Card');
  });
});

describe('in the customer’s language', () => {
  /** Intl puts no-break and narrow no-break spaces in French money and dates; compare with plain spaces. */
  const spaces = (text: string) => squash(text.replace(/[\u00a0\u202f]/g, ' '));
  /** pdftotext wraps runs of another direction in bidi embedding controls. */
  const unmarked = (text: string) => text.replace(/[\u202a-\u202e]/g, '');

  test('a French invoice: French labels, dates and money, the reverse-charge notice in French', async () => {
    const pdf = await renderInvoicePdf(invoice({ locale: 'fr', tax_label: 'VAT (20%)' }));
    assert.match(pdfInfo(pdf), /^Title:\s+Facture INV-2025-0042$/m);
    const text = spaces(pdfText(pdf));
    for (const expected of [
      'Facture',
      'N° de facture INV-2025-0042',
      'Date d’émission 1 mars 2025',
      'Statut Payée',
      'Date de paiement 2 mars 2025',
      'N° de TVA : DE123456789',
      'FACTURÉ À',
      '88,60 € payé le 2 mars 2025',
      'DESCRIPTION QTÉ PRIX UNITAIRE MONTANT',
      'Pro plan (monthly) 1 49,00 € 49,00 €',
      'Période de service : 1 mars – 1 avr. 2025',
      'Sous-total 104,00 €',
      'Remise -10,40 €',
      'TVA (20 %) 0,00 €',
      'Crédits appliqués -5,00 €',
      'Total 88,60 €',
      'Montant payé 88,60 €',
      'Page 1 sur 1',
    ]) {
      assert.ok(text.includes(expected), `missing ${JSON.stringify(expected)} in:\n${text}`);
    }
    assert.match(text.replace(/\s+/g, ' '), /Autoliquidation : TVA due par le preneur \(article 196 de la directive 2006\/112\/CE du Conseil\)\./);
    assert.doesNotMatch(text, /Invoice|Subtotal|Reverse charge/);
  });

  test('a long French invoice shows "1 234,56 €"-style amounts and a translated running title', async () => {
    const lines = Array.from({ length: 60 }, (_, i) => line(`Ligne ${i + 1}`, 1, 123_456));
    const subtotal = lines.reduce((sum, l) => sum + l.amount, 0);
    const text = spaces(pdfText(await renderInvoicePdf(invoice({ locale: 'fr', lines, subtotal, discount_amount: 0, credit_amount: 0, total: subtotal }))));
    assert.ok(text.includes('Ligne 1 1 1 234,56 € 1 234,56 €'), text);
    assert.ok(text.includes('Facture INV-2025-0042 (suite)'));
    assert.ok(text.includes('Total 74 073,60 €'));
    assert.match(text, /Page 2 sur \d/);
  });

  test('an Arabic receipt mirrors the page and reads back in logical order', async () => {
    const pdf = await renderReceiptPdf(
      receipt({
        locale: 'ar',
        bill_to: { name: 'محمد عبد الله', company: 'شركة الأمل', email: 'm@example.sa', address_lines: ['شارع الملك فهد 12', 'الرياض'], tax_id: null },
        lines: [line('الخطة الاحترافية (شهرية)', 1, 4900), line('Extra seats', 3, 1000), line('Setup fee', 1, 2500, false)],
      }),
    );
    assert.match(pdfInfo(pdf), /^Title:\s+إيصال RCPT-2025-0042$/m);
    // pdftotext marks embedded runs with bidi controls; a lam-alef ligature comes out with its two letters swapped
    // (a poppler quirk), so the labels checked here have none.
    const text = unmarked(pdfText(pdf));
    for (const expected of [
      'إيصال',
      'رقم الفاتورة',
      'RCPT-2025-0042',
      'طريقة الدفع',
      'Visa •••• 4242',
      'محمد عبد الله',
      'شارع الملك فهد 12',
      'المبالغ المستردة',
      'استرداد إلى البطاقة',
      '88.60 €',
      '-10.40 €',
    ]) {
      assert.ok(text.includes(expected), `missing ${JSON.stringify(expected)} in:\n${text}`);
    }
    // Words and their boxes (-bbox gives right-to-left letters in visual order).
    const bbox = poppler('pdftotext', pdf, ['-bbox', '-enc', 'UTF-8']);
    const words = [...bbox.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<\/word>/g)].map((m) => ({
      xMin: Number(m[1]),
      y: Number(m[2]),
      xMax: Number(m[3]),
      text: [...m[4]!].reverse().join(''),
      raw: m[4]!,
    }));
    const find = (word: string) => words.find((w) => w.text === word || w.raw === word)!;
    assert.ok(find('إيصال').xMin < 120, 'the title at the top left');
    assert.ok(find('Acme').xMax > 470, 'the seller at the top right');
    assert.ok(find('الوصف').xMax > 470 && find('المبلغ').xMin < 150, 'description column on the right, amounts on the left');
    assert.ok(find('Setup').xMax > 400, 'a Latin description is right-aligned in its column');
    const setupRow = find('Setup').y;
    const amounts = words.filter((w) => Math.abs(w.y - setupRow) < 2 && w.raw === '25.00');
    assert.ok(amounts.length === 2 && amounts.every((w) => w.xMax < 250), 'its prices sit on the left');
    // An amount reads as Intl writes it for Arabic ("25.00 €", "-10.40 €"): a left-to-right island,
    // the sign before the digits and the symbol after them, in the table and inside sentences.
    for (const amount of words.filter((w) => /^-?\d+\.\d\d$/.test(w.raw))) {
      const symbol = words.find((w) => w.raw === '€' && Math.abs(w.y - amount.y) < 2 && w.xMin >= amount.xMax && w.xMin - amount.xMax < 12);
      assert.ok(symbol, `the € right after ${amount.raw} (at ${amount.xMax.toFixed(0)}, ${amount.y.toFixed(0)})`);
    }
  });

  test('every supported language renders its title, and a Hebrew invoice reads back in Hebrew', async () => {
    for (const code of localeCodes) {
      const text = pdfText(await renderInvoicePdf(invoice({ locale: code })));
      const title = translator(code).t('pdf.invoice');
      assert.ok(text.includes(title), `${code}: missing ${title}`);
    }
    const hebrew = unmarked(pdfText(await renderInvoicePdf(invoice({ locale: 'he' }))));
    // Spaces next to numbers in right-to-left lines come out shifted by pdftotext: compare without them.
    const compact = hebrew.replace(/\s+/g, '');
    for (const expected of ['חשבונית', 'מספר חשבונית', 'לכבוד', 'סכום ביניים', 'עמוד 1 מתוך 1', '1 במרץ 2025']) {
      assert.ok(compact.includes(expected.replace(/\s+/g, '')), `missing ${expected} in:\n${hebrew}`);
    }
  });

  test('an unknown locale falls back to English', async () => {
    const text = squash(pdfText(await renderInvoicePdf(invoice({ locale: 'xx-invalid' }))));
    assert.ok(text.includes('Invoice number INV-2025-0042'));
  });
});
