import { msg, str } from '@lit/localize';
import { css, html, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { ApiError } from '../../api/errors.js';
import { updateInvoiceDetails } from '../../api/orders.js';
import type { InvoiceDetails, Order } from '../../schemas/billing.js';
import { alert } from '../../ui/alert.js';
import { busyLabel } from '../../ui/button.js';
import { doneMark, FlowElement, flowStyles } from '../billing/flow.js';
import { checkVatId } from './vat.js';

type Step = 'edit' | 'done';

/** The form's fields: id, label, autocomplete token, where it goes in the request, max length. */
const FIELDS = [
  ['name', () => msg('Name'), 'name', 200],
  ['company', () => msg('Company'), 'organization', 200],
  ['line1', () => msg('Address'), 'address-line1', 200],
  ['line2', () => msg('Address line 2'), 'address-line2', 200],
  ['city', () => msg('City'), 'address-level2', 100],
  ['postal_code', () => msg('Postal code'), 'postal-code', 20],
  ['state', () => msg('State or region'), 'address-level1', 100],
  ['country', () => msg('Country code'), 'country', 2],
  ['tax_id', () => msg('Tax ID'), 'off', 40],
] as const;
type Field = (typeof FIELDS)[number][0];
const ADDRESS: readonly Field[] = ['line1', 'line2', 'city', 'postal_code', 'state', 'country'];

function valuesOf(details: InvoiceDetails): Record<Field, string> {
  const address = details.address ?? {};
  return {
    name: details.name ?? '',
    company: details.company ?? '',
    line1: address.line1 ?? '',
    line2: address.line2 ?? '',
    city: address.city ?? '',
    postal_code: address.postal_code ?? '',
    state: address.state ?? '',
    country: address.country ?? '',
    tax_id: details.tax_id ?? '',
  };
}

/**
 * @summary Editing the buyer's details on one invoice (name, company, address, tax id),
 * with an EU VAT number format check as the customer types; the invoice is regenerated
 * with them and can be downloaded at once.
 *
 * @event close - The dialog closed.
 */
export class InvoiceDetailsFlow extends FlowElement<Step> {
  static override styles = [
    ...FlowElement.styles,
    flowStyles,
    css`
      .form {
        display: grid;
        grid-template-columns: repeat(2, minmax(0, 1fr));
        gap: calc(var(--_space) * 1.75) calc(var(--_space) * 1.5);
      }
      .field--wide {
        grid-column: 1 / -1;
      }
      .hint--ok {
        color: var(--_success);
      }
      @media (max-width: 520px) {
        .form {
          grid-template-columns: minmax(0, 1fr);
        }
      }
    `,
  ];

  @property({ attribute: false }) order?: Order;
  /** Told about the order once saved. */
  @property({ attribute: false }) onOrder?: (order: Order) => void;
  /** Downloads the regenerated invoice (the view owns downloads). */
  @property({ attribute: false }) onDownload?: (order: Order) => Promise<void>;

  @state() private values = valuesOf({});
  @state() private fieldErrors: Partial<Record<Field, string>> = {};
  @state() private saved?: Order;
  @state() private downloading = false;

  protected override firstStep(): Step {
    return 'edit';
  }

  protected override reset(): void {
    super.reset();
    this.values = valuesOf(this.order?.billing_details ?? {});
    this.fieldErrors = {};
    this.saved = undefined;
  }

  private set(field: Field, value: string): void {
    this.values = { ...this.values, [field]: value };
    this.key.reset();
    if (this.fieldErrors[field]) this.fieldErrors = { ...this.fieldErrors, [field]: undefined };
  }

  /** What the customer typed, checked here the way the server will. */
  #validate(): Partial<Record<Field, string>> {
    const errors: Partial<Record<Field, string>> = {};
    const country = this.values.country.trim();
    if (country && !/^[a-z]{2}$/i.test(country)) errors.country = msg('Use a two-letter country code, like DE.');
    const vat = checkVatId(this.values.tax_id);
    if (vat.kind === 'invalid') errors.tax_id = msg(str`This is not a valid ${vat.country} VAT number format. Check it, e.g. DE123456789.`);
    return errors;
  }

  #body(): InvoiceDetails {
    const v = (field: Field) => this.values[field].trim() || null;
    const address = Object.fromEntries(ADDRESS.map((f) => [f, f === 'country' ? (v(f)?.toUpperCase() ?? null) : v(f)]));
    return { name: v('name'), company: v('company'), address, tax_id: v('tax_id') };
  }

  private async save(event: Event, order: Order): Promise<void> {
    event.preventDefault();
    const errors = this.#validate();
    this.fieldErrors = errors;
    if (Object.keys(errors).length) {
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    const body = this.#body();
    const saved = await this.attempt((key) => updateInvoiceDetails(this.http!, order.id, body, key).catch((error: unknown) => this.#fieldError(error)));
    if (!saved) return;
    this.saved = saved;
    this.onOrder?.(saved);
    await this.goTo('done');
  }

  /** A validation error about one field is shown at that field too. */
  #fieldError(error: unknown): never {
    if (error instanceof ApiError && Array.isArray(error.details)) {
      const errors: Partial<Record<Field, string>> = {};
      for (const d of error.details as Array<{ path?: string; message?: string }>) {
        const field = d.path?.replace(/^address\./, '') as Field | undefined;
        if (field && FIELDS.some(([f]) => f === field) && d.message) errors[field] = d.message;
      }
      this.fieldErrors = errors;
    }
    throw error;
  }

  private async download(order: Order): Promise<void> {
    this.downloading = true;
    try {
      await this.onDownload?.(order);
    } finally {
      this.downloading = false;
    }
  }

  private renderField([id, label, autocomplete, max]: (typeof FIELDS)[number]): TemplateResult {
    const error = this.fieldErrors[id];
    const wide = id === 'name' || id === 'company' || id === 'line1' || id === 'line2' || id === 'tax_id';
    let hint: TemplateResult | typeof nothing = nothing;
    if (id === 'tax_id') {
      const vat = checkVatId(this.values.tax_id);
      hint =
        vat.kind === 'valid'
          ? html`<p class="hint hint--ok" id="tax_id-hint">${msg(str`Valid format: ${vat.value}`)}</p>`
          : html`<p class="hint" id="tax_id-hint">${msg('EU VAT numbers start with the country code, like DE123456789.')}</p>`;
    }
    if (id === 'country') hint = html`<p class="hint" id="country-hint">${msg('Two letters, like FR or US.')}</p>`;
    return html`<div class="field ${wide ? 'field--wide' : ''}">
      <label class="label" for=${id}>${label()}</label>
      <input
        id=${id}
        class="input"
        name=${id}
        autocomplete=${autocomplete}
        maxlength=${max}
        .value=${this.values[id]}
        ?disabled=${this.busy}
        aria-invalid=${error ? 'true' : 'false'}
        aria-describedby="${id}-error ${hint === nothing ? '' : `${id}-hint`}"
        @input=${(e: Event) => this.set(id, (e.target as HTMLInputElement).value)}
        @blur=${id === 'tax_id' || id === 'country' ? () => (this.fieldErrors = { ...this.fieldErrors, [id]: this.#validate()[id] }) : nothing}
      />
      ${hint}
      <p class="field-error" id="${id}-error">${error ?? ''}</p>
    </div>`;
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
        <div class="form">${FIELDS.map((field) => this.renderField(field))}</div>
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
