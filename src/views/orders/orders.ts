import { msg, str } from '@lit/localize';
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import type { ApiError } from '../../api/errors.js';
import { saveBlob } from '../../api/files.js';
import { fetchDocument, fetchOrder, fetchOrders } from '../../api/orders.js';
import type { SessionState } from '../../api/session.js';
import { InvoiceDownloadedEvent } from '../../events.js';
import { getLocale } from '../../i18n/localize.js';
import { formatDateRange, formatMoney, formatShortDate, money } from '../../i18n/money.js';
import { countryName } from '../../schemas/countries.js';
import type { Order } from '../../schemas/billing.js';
import { alert } from '../../ui/alert.js';
import { busyLabel } from '../../ui/button.js';
import { skeleton } from '../../ui/skeleton.js';
import { ViewElement } from '../../ui/view-element.js';
import { emptyState } from '../billing/empty.js';
import { disputeBadge, disputeText, orderBadge, orderSummary } from '../billing/status.js';
import { totalsStyles, totalsTable } from '../billing/totals.js';
import { MorePages } from '../billing/paging.js';
import { ensureDefined, lazy } from '../lazy.js';
import { ordersStyles } from './orders.styles.js';

type Document = 'invoice' | 'receipt';

const downloadIcon = html`<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M8 2v8m-3.5-3L8 10.5 11.5 7M3 13.5h10" /></svg>`;
const backIcon = html`<svg viewBox="0 0 16 16" aria-hidden="true"><path d="m10 3-5 5 5 5" /></svg>`;

/** A receipt exists once the order was paid (also after a refund). */
const hasReceipt = (order: Order) => Boolean(order.paid_at) && ['paid', 'refunded', 'partially_refunded'].includes(order.status);

/**
 * @summary The customer's orders: a paginated history (a table on wide screens, stacked rows
 * on phones), each order's lines, tax, discount, credit, refunds and payment method, the
 * invoice and receipt PDFs, and the invoice's buyer details, editable.
 *
 * @event cp-invoice-downloaded - An invoice or receipt PDF was downloaded.
 * @csspart base - The section.
 * @csspart card - Each card.
 * @csspart badge - An order's status.
 * @csspart past-due - The banner shown while a payment has failed.
 */
export class CustomerPortalOrders extends ViewElement {
  static override styles = [...ViewElement.styles, totalsStyles, ordersStyles];

  protected override section = 'orders' as const;

  #page = this.load((http, signal) => fetchOrders(http, null, signal));

  /** Orders from "Load more", after the first page. */
  #more = new MorePages<Order>(this, (cursor) => fetchOrders(this.connection!.http, cursor));
  /** Orders as last fetched or saved here (with lines, refunds and payment method). */
  @state() private latest = new Map<string, Order>();
  @state() private selectedId?: string;
  @state() private detailError = '';
  @state() private editing = false;
  /** `${orderId}:${document}` being downloaded. */
  @state() private downloading = '';
  @state() private downloadError = '';

  #detailRequest?: AbortController;

  protected override sessionChanged(previous: SessionState): void {
    super.sessionChanged(previous);
    this.#more.reset();
    this.latest = new Map();
    this.selectedId = undefined;
    this.editing = false;
  }

  #all(): Order[] {
    return [...(this.#page.value?.data ?? []), ...this.#more.items].map((o) => this.latest.get(o.id) ?? o);
  }

  private remember = (order: Order): void => {
    const known = this.latest.get(order.id);
    // A saved order comes back without lines, refunds and payment method: keep those.
    this.latest = new Map(this.latest).set(order.id, {
      ...known,
      ...order,
      lines: order.lines ?? known?.lines,
      refunds: order.refunds ?? known?.refunds,
      payment_method: order.payment_method !== undefined ? order.payment_method : known?.payment_method,
    });
  };

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    // The address names an order (a link from an email, Back, a reload), or none any more.
    if (changed.has('detail') && (this.detail ?? undefined) !== this.selectedId) {
      this.selectedId = this.detail;
      this.detailError = '';
      this.editing = false;
      if (this.detail && !this.latest.get(this.detail)?.refunds) void this.loadDetail(this.detail);
    }
  }

  /** Shows one order; its refunds and payment method come with a request of their own. */
  private async open(order: Order | undefined): Promise<void> {
    // Inside the full portal, the order gets an address of its own (Back returns to the list).
    if (this.canNavigate()) this.navigate('orders', order?.id);
    const from = this.selectedId;
    this.selectedId = order?.id;
    this.detailError = '';
    this.downloadError = '';
    this.#detailRequest?.abort();
    await this.updateComplete;
    if (!order) {
      this.renderRoot.querySelector<HTMLElement>(`[data-id="${from}"]`)?.focus();
      return;
    }
    this.renderRoot.querySelector<HTMLElement>('.hero__title')?.focus();
    if (this.latest.get(order.id)?.refunds) return;
    await this.loadDetail(order.id);
  }

  private async loadDetail(id: string): Promise<void> {
    const http = this.connection?.http;
    if (!http) return;
    const request = new AbortController();
    this.#detailRequest = request;
    this.detailError = '';
    try {
      this.remember(await fetchOrder(http, id, request.signal));
    } catch (error) {
      if (!request.signal.aborted) this.detailError = (error as ApiError).message;
    }
  }

  /** Fetches the PDF with the session's token and saves it; the token never goes in a URL. */
  private download = async (order: Order, document: Document = 'invoice'): Promise<void> => {
    const http = this.connection?.http;
    if (!http || this.downloading) return;
    this.downloading = `${order.id}:${document}`;
    this.downloadError = '';
    try {
      const blob = await fetchDocument(http, order.id, document);
      saveBlob(blob, `${document}-${order.invoice_number}.pdf`);
      this.announcement =
        document === 'invoice' ? msg(str`Invoice ${order.invoice_number} downloaded.`) : msg(str`Receipt ${order.invoice_number} downloaded.`);
      this.emit(new InvoiceDownloadedEvent({ orderId: order.id, invoiceNumber: order.invoice_number, document }));
    } catch (error) {
      this.downloadError = (error as ApiError).message;
    } finally {
      this.downloading = '';
    }
  };

  private renderTable(orders: Order[]): TemplateResult {
    return html`<table class="table">
      <caption class="visually-hidden">${msg('Orders')}</caption>
      <thead>
        <tr>
          <th scope="col">${msg('Date')}</th>
          <th scope="col">${msg('Invoice')}</th>
          <th scope="col">${msg('Description')}</th>
          <th scope="col">${msg('Status')}</th>
          <th scope="col" class="amount">${msg('Amount')}</th>
          <th scope="col"><span class="visually-hidden">${msg('Download')}</span></th>
        </tr>
      </thead>
      <tbody>
        ${orders.map((order) => {
          const busy = this.downloading === `${order.id}:invoice`;
          return html`<tr>
            <td class="date">${formatShortDate(order.created_at)}</td>
            <td class="number">
              <button type="button" class="link invoice-link" data-id=${order.id} @click=${() => this.open(order)}>
                ${order.invoice_number}<span class="visually-hidden">, ${msg('view details')}</span>
              </button>
            </td>
            <td class="what" dir="auto">${orderSummary(order)}</td>
            <td class="status">${orderBadge(order)} ${disputeBadge(order)}</td>
            <td class="amount">${money(order.total, order.currency)}</td>
            <td class="download">
              <button
                type="button"
                class="icon-button"
                aria-label=${msg(str`Download invoice ${order.invoice_number}`)}
                title=${msg('Download invoice')}
                aria-busy=${busy ? 'true' : 'false'}
                ?disabled=${Boolean(this.downloading)}
                @click=${() => this.download(order)}
              >
                ${busy ? html`<span class="spinner" aria-hidden="true"></span>` : downloadIcon}
              </button>
            </td>
          </tr>`;
        })}
      </tbody>
    </table>`;
  }

  private renderList(orders: Order[]): TemplateResult {
    return html`<div class="card" part="card">
      ${orders.length ? this.renderTable(orders) : emptyState('orders', msg('No orders yet'), msg('Your invoices and receipts will be listed here after your first payment.'))}
      ${this.#more.render(this.#page.value)}
    </div>`;
  }

  private renderBuyer(order: Order): TemplateResult {
    const d = order.billing_details;
    const a = d.address ?? {};
    // The country by its name in the language shown ("France", not "FR"), as the form lists it.
    const country = a.country ? countryName(a.country, getLocale()) : undefined;
    const lines = [d.name, d.company, a.line1, a.line2, [a.postal_code, a.city].filter(Boolean).join(' '), a.state, country].filter(Boolean);
    return html`<div class="card" part="card">
      <div class="card__header card__header--row">
        <h3 class="card__title">${msg('Billed to')}</h3>
        <button type="button" class="button button--secondary button--small" @click=${this.editInvoiceDetails}>
          ${msg('Edit')}<span class="visually-hidden"> ${msg('invoice details')}</span></button>
      </div>
      <div class="card__body">
        <address class="party">
          ${
            lines.length
              ? lines.map((line, i) => (i === 0 ? html`<div><strong><bdi>${line}</bdi></strong></div>` : html`<div><bdi>${line}</bdi></div>`))
              : html`<div class="muted">${msg('No details yet')}</div>`
          }
          ${d.email ? html`<div class="muted"><bdi>${d.email}</bdi></div>` : nothing}
          ${d.tax_id ? html`<div>${msg('Tax ID')}: <span class="mono">${d.tax_id}</span></div>` : nothing}
        </address>
      </div>
    </div>`;
  }

  private renderPayment(order: Order): TemplateResult {
    const method = order.payment_method;
    const loading = order.refunds === undefined && !this.detailError;
    return html`<div class="card" part="card">
      <div class="card__header"><h3 class="card__title">${msg('Payment')}</h3></div>
      <div class="card__body pay">
        <dl>
          <div><dt>${msg('Status')}</dt><dd>${orderBadge(order)} ${disputeBadge(order)}</dd></div>
          ${order.dispute ? html`<div class="dispute"><dt>${msg('Dispute')}</dt><dd>${disputeText(order)}</dd></div>` : nothing}
          ${order.paid_at ? html`<div><dt>${msg('Paid on')}</dt><dd>${formatShortDate(order.paid_at)}</dd></div>` : nothing}
          <div>
            <dt>${msg('Payment method')}</dt>
            <dd>${loading ? skeleton('7em') : method ? html`<span class="capitalize">${method.brand}</span> •••• ${method.last4}` : msg('None')}</dd>
          </div>
        </dl>
        ${order.failure_message ? alert('danger', order.failure_message) : nothing}
        ${order.status === 'carried_forward' ? html`<p class="muted">${msg('Under the minimum card charge: this amount is added to your next invoice.')}</p>` : nothing}
        ${
          order.refunds?.length
            ? html`<div>
              <p class="section-title">${msg('Refunds')}</p>
              <ul class="refunds" role="list">
                ${order.refunds.map(
                  (r) => html`<li>
                    <span>${formatShortDate(r.created_at)} · ${r.destination === 'wallet' ? msg('to your wallet') : msg('to your card')}</span>
                    <span class="num">${money(-r.amount, order.currency)}</span>
                  </li>`,
                )}
              </ul>
            </div>`
            : nothing
        }
      </div>
    </div>`;
  }

  private renderDetail(order: Order): TemplateResult {
    const busy = (document: Document) => this.downloading === `${order.id}:${document}`;
    const downloadButton = (document: Document, label: string, cls: string) =>
      html`<button
        type="button"
        class="button ${cls}"
        ?disabled=${Boolean(this.downloading)}
        aria-busy=${busy(document) ? 'true' : 'false'}
        @click=${() => this.download(order, document)}
      >
        ${busy(document) ? busyLabel(true, '', msg('Preparing…')) : html`${downloadIcon}${label}`}
      </button>`;
    return html`<div class="detail">
      <button type="button" class="button button--ghost button--small back" @click=${() => this.open(undefined)}>${backIcon}${msg('All orders')}</button>
      <div class="card" part="card">
        <div class="hero">
          <div>
            <h3 class="hero__title" tabindex="-1">${msg(str`Invoice ${order.invoice_number}`)} ${orderBadge(order)}</h3>
            <p class="muted">
              ${msg(str`Issued ${formatShortDate(order.created_at)}`)}${
                order.period_start && order.period_end ? html` · ${msg(str`Service period ${formatDateRange(order.period_start, order.period_end)}`)}` : nothing
              }
            </p>
          </div>
          <p class="hero__amount">${money(order.total, order.currency)}</p>
        </div>
        <div class="downloads">
          ${downloadButton('invoice', msg('Download invoice'), 'button--primary')}
          ${hasReceipt(order) ? downloadButton('receipt', msg('Download receipt'), 'button--secondary') : nothing}
        </div>
      </div>
      ${
        this.detailError
          ? alert(
              'danger',
              this.detailError,
              html`<button type="button" class="button button--secondary button--small" @click=${() => this.loadDetail(order.id)}>${msg('Try again')}</button>`,
            )
          : nothing
      }
      <div class="card" part="card">
        <div class="card__header"><h3 class="card__title">${msg('Summary')}</h3></div>
        <div class="card__body">
          ${order.lines ? totalsTable(order, msg('Items'), msg('Total')) : html`<div class="placeholder">${skeleton('100%', '6em')}</div>`}
          ${order.refunded_amount ? html`<p class="muted num">${msg(str`Refunded ${formatMoney(order.refunded_amount, order.currency)}`)}</p>` : nothing}
          ${order.tax_note ? html`<p class="muted">${order.tax_note}</p>` : nothing}
        </div>
      </div>
      <div class="pair">${this.renderBuyer(order)} ${this.renderPayment(order)}</div>
    </div>`;
  }

  /** Opens the invoice details form, loading it first if this is the first time (src/views/registry.ts `lazy`). */
  private editInvoiceDetails(): void {
    this.editing = true;
    ensureDefined('customer-portal-invoice-details-flow', lazy.invoiceDetailsFlow, this);
  }

  private renderLoaded(): TemplateResult {
    const orders = this.#all();
    // Not on the pages loaded (a link to an older order): the one fetched for it.
    const selected = orders.find((o) => o.id === this.selectedId) ?? (this.selectedId ? this.latest.get(this.selectedId) : undefined);
    return html`${selected ? this.renderDetail(selected) : this.renderList(orders)}
      <div role="alert">${this.downloadError ? alert('danger', this.downloadError) : nothing}</div>
      ${
        selected
          ? html`<customer-portal-invoice-details-flow
            .http=${this.connection?.http}
            .order=${selected}
            .onOrder=${this.remember}
            .onDownload=${this.download}
            ?open=${this.editing}
            @close=${() => (this.editing = false)}
          ></customer-portal-invoice-details-flow>`
          : nothing
      }`;
  }

  private renderLoading(): TemplateResult {
    const row = html`<div class="card__body placeholder">${skeleton('100%', '1.25em')}</div>`;
    return html`<div class="card" aria-busy="true">
      <p class="visually-hidden" role="status">${msg('Loading your orders…')}</p>
      ${row} ${row} ${row}
    </div>`;
  }

  override render(): unknown {
    return this.renderView(
      msg('Orders'),
      msg('Your invoices and receipts.'),
      this.#page,
      () => this.renderLoading(),
      () => this.renderLoaded(),
    );
  }
}

CustomerPortalOrders.define('customer-portal-orders');

declare global {
  interface HTMLElementTagNameMap {
    'customer-portal-orders': CustomerPortalOrders;
  }
}
