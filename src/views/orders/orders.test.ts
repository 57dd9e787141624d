import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { http } from 'msw';
import { billing, order } from '../../../test/msw/billing.js';
import { apiError, fake, SESSION_TOKEN } from '../../../test/msw/handlers.js';
import { signIn, useMockApi, worker } from '../../../test/msw/worker.js';
import type { InvoiceDownloadedEvent } from '../../events.js';
import { buttonIn, deferred, focused, textOf, type } from '../../testing/dom.js';
import './orders.js';
import type { CustomerPortalOrders } from './orders.js';
import { checkVatId } from '../../schemas/vat.js';

const FLOW = 'customer-portal-invoice-details-flow';

class OrdersHarness {
  constructor(readonly element: CustomerPortalOrders) {}
  get root(): ShadowRoot {
    return this.element.shadowRoot!;
  }
  get text(): string {
    return textOf(this.root.querySelector('section'));
  }
  get rows(): string[] {
    return [...this.root.querySelectorAll('tbody tr')].map((r) => textOf(r));
  }
  button(label: RegExp): HTMLButtonElement {
    return buttonIn(this.root, label);
  }
  async loaded(): Promise<void> {
    await waitUntil(() => this.root.querySelector('.table, .empty'), 'the orders did not load');
  }
  async openOrder(number: string): Promise<void> {
    this.button(new RegExp(`^${number}`)).click();
    await waitUntil(() => this.root.querySelector('.refunds, .pay dd .capitalize'), 'the order detail did not load');
  }
  get flow(): ShadowRoot {
    // Empty until the flow's chunk, loaded on the click, has defined it.
    return this.root.querySelector(FLOW)?.shadowRoot ?? document.createElement('div').attachShadow({ mode: 'open' });
  }
  get flowText(): string {
    return [...(this.flow.querySelector('customer-portal-dialog')?.children ?? [])].map((c) => textOf(c)).join(' ');
  }
  input(id: string): HTMLInputElement {
    return this.flow.querySelector<HTMLInputElement>(`#${id}`)!;
  }
}

async function render(): Promise<OrdersHarness> {
  const element = await fixture<CustomerPortalOrders>(html`<customer-portal-orders org="acme"></customer-portal-orders>`);
  const h = new OrdersHarness(element);
  await h.loaded();
  return h;
}

/** Catches the download the view starts (an <a download> clicked with an object URL). */
function captureDownloads(): { downloads: Array<{ name: string; href: string }>; restore: () => void } {
  const downloads: Array<{ name: string; href: string }> = [];
  const original = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
    if (this.download) downloads.push({ name: this.download, href: this.href });
    else original.call(this);
  };
  return { downloads, restore: () => (HTMLAnchorElement.prototype.click = original) };
}

describe('<customer-portal-orders>', () => {
  useMockApi();
  beforeEach(() => signIn());

  it('shows a skeleton while loading, then the history as a table', async () => {
    const hold = deferred();
    worker.use(http.get('*/portal/v1/orders', () => hold.promise.then(() => undefined)));
    const element = await fixture<CustomerPortalOrders>(html`<customer-portal-orders org="acme"></customer-portal-orders>`);
    expect(element.shadowRoot!.querySelector('[aria-busy="true"] .skeleton')).to.exist;
    hold.resolve();
    const h = new OrdersHarness(element);
    await h.loaded();
    expect(h.rows).to.have.length(7);
    expect(h.rows[0]).to.match(/^.* INV-0007, view details Pro Paid \$34\.80$/);
    expect([...h.root.querySelectorAll('thead th')].map((th) => textOf(th))).to.deep.equal(['Date', 'Invoice', 'Description', 'Status', 'Amount', 'Download']);
  });

  it('shows an empty state', async () => {
    billing.orders = [];
    const h = await render();
    expect(h.text).to.contain('No orders yet');
  });

  it('explains a failure and loads again', async () => {
    worker.use(http.get('*/portal/v1/orders', () => apiError(500, 'internal', 'Something broke. Try again.'), { once: true }));
    const element = await fixture<CustomerPortalOrders>(html`<customer-portal-orders org="acme"></customer-portal-orders>`);
    const h = new OrdersHarness(element);
    await waitUntil(() => h.text.includes('Something broke. Try again.'), 'no error');
    h.button(/Try again/).click();
    await h.loaded();
  });

  it('shows a disputed order with a badge in the list and a line in the detail; a closed one too', async () => {
    billing.orders = [
      order(5, { dispute: { status: 'open', reason: 'fraudulent', amount: 3480, created_at: '2026-03-02T10:00:00.000Z', closed_at: null } }),
      order(4, {
        dispute: { status: 'lost', reason: 'fraudulent', amount: 3480, created_at: '2026-02-02T10:00:00.000Z', closed_at: '2026-02-20T10:00:00.000Z' },
      }),
      order(3, { status: 'carried_forward', total: 30 }),
    ];
    const h = await render();
    expect(h.rows[0]).to.contain('Paid Disputed');
    expect(h.rows[1]).to.contain('Paid Dispute closed');
    expect(h.rows[2]).to.contain('Carried forward');
    await expect(h.element).to.be.accessible();
    await h.openOrder('INV-0005');
    expect(textOf(h.root.querySelector('.pay .dispute'))).to.match(/^Dispute Disputed with your bank since .*2026: \$34\.80$/);
    h.button(/All orders/).click();
    await waitUntil(() => h.rows.length === 3, 'the list did not come back');
    await h.openOrder('INV-0004');
    expect(textOf(h.root.querySelector('.pay .dispute'))).to.match(/^Dispute Dispute closed on .*2026: \$34\.80 returned by your bank$/);
  });

  it('loads more with the cursor', async () => {
    billing.orders = Array.from({ length: 13 }, (_, i) => order(13 - i));
    const h = await render();
    expect(h.rows).to.have.length(10);
    h.button(/Load more/).click();
    await waitUntil(() => h.rows.length === 13, 'no more orders');
    expect(h.root.querySelector('.more')).to.equal(null);
    expect(fake.to('/portal/v1/orders')).to.have.length(2);
  });

  it('shows an order in detail: lines, tax, refunds, payment method, billed to', async () => {
    billing.orders = [
      order(3, {
        status: 'partially_refunded',
        refunded_amount: 1000,
        credit_amount: 200,
        total: 3280,
        lines: [
          ...order(3).lines!,
          { kind: 'credit', description: 'Credit from your wallet', quantity: 1, unit_amount: -200, amount: -200, period_start: null, period_end: null },
        ],
      }),
    ];
    const h = await render();
    await h.openOrder('INV-0003');
    await waitUntil(() => focused() === h.root.querySelector('.hero__title'), 'focus did not move to the order');
    expect(textOf(h.root.querySelector('.hero'))).to.match(/^Invoice INV-0003 Partially refunded Issued .* \$32\.80$/);
    expect(textOf(h.root.querySelector('.totals'))).to.contain('Pro $29.00 Subtotal $29.00 VAT (20%) $5.80 Credit from your wallet -$2.00 Total $32.80');
    expect(h.text).to.contain('Refunded $10.00');
    expect(textOf(h.root.querySelector('.pay'))).to.match(/Payment method visa •••• 4242 .*Refunds .* to your card -\$10\.00/);
    expect(textOf(h.root.querySelector('address'))).to.equal(
      'Alice Martin Martin & Co 12 Rue de Rivoli 75001 Paris France alice@example.com',
      'the country by its name',
    );
    // Its label centred in the button: nothing after the visually hidden words takes room.
    const edit = [...h.root.querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent!.includes('invoice details'))!;
    const outer = edit.getBoundingClientRect();
    const visible = [...edit.childNodes].find((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim()) as Text;
    const word = document.createRange();
    word.selectNodeContents(visible);
    const box = word.getBoundingClientRect();
    expect(Math.abs(box.left - outer.left - (outer.right - box.right)), '“Edit” centred').to.be.below(2);
    expect(h.text).to.contain('Download receipt');
    h.button(/All orders/).click();
    await waitUntil(() => focused()?.getAttribute('data-id') === 'ord_3', 'focus did not return to the order');
  });

  it('offers no receipt for an unpaid order', async () => {
    billing.orders = [order(2, { status: 'failed', paid_at: null, failure_message: 'Your card was declined.' })];
    const h = await render();
    await h.openOrder('INV-0002');
    expect(h.text).to.not.contain('Download receipt');
    expect(h.text).to.contain('Your card was declined.');
  });

  it('downloads the invoice and the receipt with the session token, never in a URL', async () => {
    const capture = captureDownloads();
    try {
      const h = await render();
      const downloaded = oneEvent(h.element, 'cp-invoice-downloaded') as Promise<InvoiceDownloadedEvent>;
      h.button(/Download invoice INV-0007/).click();
      expect((await downloaded).detail).to.deep.equal({ orderId: 'ord_7', invoiceNumber: 'INV-0007', document: 'invoice' });
      expect(capture.downloads[0]!.name).to.equal('invoice-INV-0007.pdf');
      expect(capture.downloads[0]!.href).to.match(/^blob:/);
      const request = fake.to('/portal/v1/orders/ord_7/invoice.pdf')[0]!;
      expect(request.authorization).to.equal(`Bearer ${SESSION_TOKEN}`);
      expect(fake.requests.every((r) => !r.path.includes(SESSION_TOKEN))).to.equal(true);
      expect(textOf(h.root.querySelector('section > [role="status"]'))).to.equal('Invoice INV-0007 downloaded.');

      await h.openOrder('INV-0007');
      h.button(/Download receipt/).click();
      await waitUntil(() => capture.downloads.length === 2, 'no receipt');
      expect(capture.downloads[1]!.name).to.equal('receipt-INV-0007.pdf');
    } finally {
      capture.restore();
    }
  });

  it('explains a failed download', async () => {
    worker.use(http.get('*/portal/v1/orders/:id/:document', () => apiError(409, 'order_not_paid', 'A receipt is available once the order is paid.')));
    const h = await render();
    h.button(/Download invoice INV-0007/).click();
    await waitUntil(() => h.text.includes('A receipt is available once the order is paid.'), 'no error');
  });

  it('edits invoice details with a VAT check as the customer types, then offers the updated invoice', async () => {
    const capture = captureDownloads();
    try {
      const h = await render();
      await h.openOrder('INV-0007');
      const opener = h.button(/Edit invoice details/);
      opener.focus();
      opener.click();
      await waitUntil(() => h.flow.querySelector('customer-portal-dialog')?.shadowRoot?.querySelector('dialog')?.open, 'no dialog');
      await waitUntil(() => focused() === h.input('name'), 'focus is not on the name');
      await expect(h.flow.host).to.be.accessible();
      expect(h.input('company').value).to.equal('Martin & Co');
      type(h.input('tax_id'), 'de 12345');
      h.input('tax_id').dispatchEvent(new FocusEvent('blur'));
      await waitUntil(() => h.flowText.includes('This is not a valid DE VAT number format.'), 'no VAT error');
      expect(h.input('tax_id').getAttribute('aria-invalid')).to.equal('true');
      buttonIn(h.flow, /^Save$/).click();
      await h.element.updateComplete;
      expect(fake.requests.filter((r) => r.method === 'PATCH')).to.have.length(0);
      type(h.input('tax_id'), 'fr 12 345 678 901');
      await waitUntil(() => h.flowText.includes('Valid format: FR12345678901'), 'no valid hint');
      type(h.input('company'), 'Martin & Fils');
      buttonIn(h.flow, /^Save$/).click();
      await waitUntil(() => h.flowText.includes('Invoice INV-0007 updated'), 'not saved');
      await expect(h.flow.host).to.be.accessible();
      const patch = fake.requests.find((r) => r.method === 'PATCH')!;
      expect(patch.path).to.equal('/portal/v1/orders/ord_7/invoice-details');
      expect(patch.body).to.deep.equal({
        name: 'Alice Martin',
        company: 'Martin & Fils',
        address: { line1: '12 Rue de Rivoli', line2: null, city: 'Paris', postal_code: '75001', state: null, country: 'FR' },
        tax_id: 'fr 12 345 678 901',
      });
      expect(patch.idempotencyKey).to.match(/^[0-9a-f-]{36}$/);
      buttonIn(h.flow, /Download the updated invoice/).click();
      await waitUntil(() => capture.downloads.length === 1, 'no download');
      buttonIn(h.flow, /^Done$/).click();
      await waitUntil(() => textOf(h.root.querySelector('address')).includes('Martin & Fils'), 'the page kept the old details');
      await waitUntil(() => focused() === opener, 'focus did not return to Edit');
    } finally {
      capture.restore();
    }
  });

  it('shows the server’s validation message at its field', async () => {
    worker.use(
      http.patch('*/portal/v1/orders/:id/invoice-details', () =>
        apiError(400, 'validation_error', 'address.country: Use a two-letter country code, like DE.', [
          { path: 'address.country', message: 'Use a two-letter country code, like DE.' },
        ]),
      ),
    );
    const h = await render();
    await h.openOrder('INV-0007');
    h.button(/Edit invoice details/).click();
    await waitUntil(() => h.input('name'), 'no form');
    buttonIn(h.flow, /^Save$/).click();
    await waitUntil(() => h.input('country').getAttribute('aria-invalid') === 'true', 'the field is not marked');
    expect(textOf(h.flow.querySelector('#country-error'))).to.equal('Use a two-letter country code, like DE.');
    // The message above the form is the customer's words, without the field's path.
    expect(textOf(h.flow.querySelector('.errors'))).to.equal('Use a two-letter country code, like DE.');
  });

  it('checks EU VAT formats like the server', () => {
    expect(checkVatId('de 123.456-789')).to.deep.equal({ kind: 'valid', value: 'DE123456789' });
    expect(checkVatId('FR12345678901')).to.deep.equal({ kind: 'valid', value: 'FR12345678901' });
    expect(checkVatId('NL123456789B01')).to.deep.equal({ kind: 'valid', value: 'NL123456789B01' });
    expect(checkVatId('DE12345')).to.deep.equal({ kind: 'invalid', country: 'DE' });
    expect(checkVatId('GB123456789')).to.deep.equal({ kind: 'other' });
    expect(checkVatId('')).to.deep.equal({ kind: 'other' });
  });

  it('is accessible', async () => {
    const h = await render();
    await expect(h.element).to.be.accessible();
    await h.openOrder('INV-0007');
    await expect(h.element).to.be.accessible();
  });
});
