import { msg, str } from '@lit/localize';
import { html, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { updateInvoiceDetails } from '../../api/orders.js';
import type { Order } from '../../schemas/billing.js';
import { alert } from '../../ui/alert.js';
import { busyLabel } from '../../ui/button.js';
import { DetailsForm, detailsFormStyles } from '../billing/details-form.js';
import { doneMark, FlowElement, flowStyles } from '../billing/flow.js';

type Step = 'edit' | 'done';

/**
 * @summary Editing the buyer's details on one invoice (name, company, address, tax id),
 * with an EU VAT number format check as the customer types; the invoice is regenerated
 * with them and can be downloaded at once.
 *
 * @event close - The dialog closed.
 * @internal Used inside the views only; not part of the public API.
 */
export class InvoiceDetailsFlow extends FlowElement<Step> {
  static override styles = [...FlowElement.styles, flowStyles, detailsFormStyles];

  @property({ attribute: false }) order?: Order;
  /** Told about the order once saved. */
  @property({ attribute: false }) onOrder?: (order: Order) => void;
  /** Downloads the regenerated invoice (the view owns downloads). */
  @property({ attribute: false }) onDownload?: (order: Order) => Promise<void>;

  #form = new DetailsForm(this, false, () => this.key.reset());
  @state() private saved?: Order;
  @state() private downloading = false;

  protected override firstStep(): Step {
    return 'edit';
  }

  protected override reset(): void {
    super.reset();
    this.#form.reset(this.order?.billing_details ?? {});
    this.saved = undefined;
  }

  private async save(event: Event, order: Order): Promise<void> {
    event.preventDefault();
    if (!(await this.#form.validate(this.renderRoot))) return;
    const body = this.#form.body();
    const saved = await this.attempt((key) => updateInvoiceDetails(this.http!, order.id, body, key).catch((error: unknown) => this.#form.fieldErrors(error)));
    if (!saved) return;
    this.saved = saved;
    this.onOrder?.(saved);
    await this.goTo('done');
  }

  private async download(order: Order): Promise<void> {
    this.downloading = true;
    try {
      await this.onDownload?.(order);
    } finally {
      this.downloading = false;
    }
  }

  override render(): TemplateResult | typeof nothing {
    const order = this.order;
    if (!order) return nothing;
    const busy = this.busy;
    if (this.step === 'done') {
      return html`<customer-portal-dialog label=${msg('Invoice details saved')} ?open=${this.open} @close=${this.onDialogClose}>
        <div class="stack">
          <div class="done" role="status">
            ${doneMark}
            <p class="done__title">${msg(str`Invoice ${order.invoice_number} updated`)}</p>
            <p>${msg('The invoice now shows your new details.')}</p>
          </div>
          <div class="errors" role="alert">${this.error ? alert('danger', this.error) : nothing}</div>
        </div>
        <button slot="footer" type="button" class="button button--secondary" @click=${() => this.close()}>${msg('Done')}</button>
        <button
          slot="footer"
          type="button"
          class="button button--primary"
          ?disabled=${this.downloading}
          aria-busy=${this.downloading ? 'true' : 'false'}
          @click=${() => this.download(this.saved ?? order)}
        >
          ${busyLabel(this.downloading, msg('Download the updated invoice'), msg('Preparing…'))}
        </button>
      </customer-portal-dialog>`;
    }
    return html`<customer-portal-dialog label=${msg('Edit invoice details')} ?open=${this.open} ?busy=${busy} @close=${this.onDialogClose}>
      <form id="details" class="stack" novalidate @submit=${(e: Event) => this.save(e, order)}>
        <p class="muted">${msg(str`These details are printed on invoice ${order.invoice_number}.`)}</p>
        ${this.#form.render(busy)}
        <div class="errors" role="alert">${this.error ? alert('danger', this.error) : nothing}</div>
      </form>
      <button slot="footer" type="button" class="button button--secondary" ?disabled=${busy} @click=${() => this.close()}>${msg('Cancel')}</button>
      <button slot="footer" type="submit" form="details" class="button button--primary" ?disabled=${busy} aria-busy=${busy ? 'true' : 'false'}>
        ${busyLabel(busy, msg('Save'), msg('Saving…'))}
      </button>
    </customer-portal-dialog>`;
  }
}

InvoiceDetailsFlow.define('customer-portal-invoice-details-flow');

declare global {
  interface HTMLElementTagNameMap {
    'customer-portal-invoice-details-flow': InvoiceDetailsFlow;
  }
}
