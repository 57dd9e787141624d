import { msg, str } from '@lit/localize';
import { css, html, nothing, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { ApiError } from '../../api/errors.js';
import type { InvoiceDetails } from '../../schemas/billing.js';
import { normalizeEmail } from '../../schemas/email.js';
import type { BillingDetails } from '../../schemas/customer.js';
import { intlLocale } from '../../i18n/localize.js';
import { countryName, countryOptions } from '../../schemas/countries.js';
import { checkVatId, vatCountry, vatCountryMismatch } from '../../schemas/vat.js';

/** The country list in the language shown, named and sorted once per language. */
let options: { locale: string; list: Array<[string, string]> } | undefined;
function countries(): Array<[string, string]> {
  const locale = intlLocale();
  if (options?.locale !== locale) options = { locale, list: countryOptions(locale) };
  return options.list;
}

/** The fields: id, label, autocomplete token, max length. */
const FIELDS = [
  ['name', () => msg('Name'), 'name', 200],
  ['company', () => msg('Company'), 'organization', 200],
  ['email', () => msg('Billing email'), 'email', 254],
  ['line1', () => msg('Address'), 'address-line1', 200],
  ['line2', () => msg('Address line 2'), 'address-line2', 200],
  ['city', () => msg('City'), 'address-level2', 100],
  ['postal_code', () => msg('Postal code'), 'postal-code', 20],
  ['state', () => msg('State or region'), 'address-level1', 100],
  ['country', () => msg('Country'), 'country', 2],
  ['tax_id', () => msg('Tax ID'), 'off', 40],
] as const;
export type Field = (typeof FIELDS)[number][0];
const ADDRESS: readonly Field[] = ['line1', 'line2', 'city', 'postal_code', 'state', 'country'];
const WIDE: readonly Field[] = ['name', 'company', 'email', 'line1', 'line2', 'tax_id'];

/**
 * The buyer's details as a form (name, company, billing email, address, tax id), checked as
 * the customer types the way the server checks them: the EU VAT number format for its
 * country, and that its prefix is the country chosen; the country is chosen from a list of
 * ISO codes named in the customer's language (src/schemas/countries.ts), never typed. Used for the invoice details of one order and for the
 * billing information in settings.
 */
export class DetailsForm {
  values = {} as Record<Field, string>;
  errors: Partial<Record<Field, string>> = {};

  constructor(
    private readonly host: ReactiveControllerHost,
    /** The fields shown: the billing email belongs to settings, not to one invoice. */
    private readonly withEmail: boolean,
    /** Called when the customer changes anything (a new action, a new Idempotency-Key). */
    private readonly onChange: () => void,
  ) {}

  #fields() {
    return FIELDS.filter(([id]) => this.withEmail || id !== 'email');
  }

  reset(details: BillingDetails | InvoiceDetails): void {
    const address = (details.address ?? {}) as Record<string, string | null | undefined>;
    const flat = details as Record<string, unknown>;
    this.values = Object.fromEntries(
      FIELDS.map(([id]) => [id, ((ADDRESS.includes(id) ? address[id] : flat[id]) as string | null | undefined) ?? '']),
    ) as Record<Field, string>;
    this.errors = {};
  }

  #set(field: Field, value: string): void {
    this.values = { ...this.values, [field]: value };
    if (this.errors[field]) this.errors = { ...this.errors, [field]: undefined };
    this.onChange();
    this.host.requestUpdate();
  }

  #check(): Partial<Record<Field, string>> {
    const errors: Partial<Record<Field, string>> = {};
    const country = this.values.country.trim().toUpperCase();
    const vat = checkVatId(this.values.tax_id);
    const other = vatCountryMismatch(this.values.tax_id, country);
    if (vat.kind === 'invalid') errors.tax_id = msg(str`This is not a valid ${vat.country} VAT number format. Check it, e.g. DE123456789.`);
    else if (other) {
      const locale = intlLocale();
      const from = countryName(other, locale);
      const chosen = countryName(country, locale);
      errors.tax_id = msg(str`This VAT number is from ${from}, but the country is ${chosen}.`);
    }
    const email = this.values.email?.trim();
    if (this.withEmail && email && !normalizeEmail(email)) errors.email = msg('Enter a valid email address, like name@example.com.');
    return errors;
  }

  /** Checks every field; on a mistake, shows it and puts focus on the first wrong field. */
  async validate(root: ParentNode): Promise<boolean> {
    this.errors = this.#check();
    this.host.requestUpdate();
    if (!Object.keys(this.errors).length) return true;
    await this.host.updateComplete;
    root.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    return false;
  }

  /** What to send: empty fields as null, the country upper-cased. */
  body(): BillingDetails {
    const v = (field: Field) => this.values[field].trim() || null;
    const address = Object.fromEntries(ADDRESS.map((f) => [f, f === 'country' ? (v(f)?.toUpperCase() ?? null) : v(f)]));
    return { name: v('name'), company: v('company'), ...(this.withEmail ? { email: v('email') } : {}), address, tax_id: v('tax_id') };
  }

  /** A validation error about one field is shown at that field too; rethrows. */
  fieldErrors(error: unknown): never {
    if (error instanceof ApiError && Array.isArray(error.details)) {
      const errors: Partial<Record<Field, string>> = {};
      for (const d of error.details as Array<{ path?: string; message?: string }>) {
        const field = d.path?.replace(/^(billing_details\.)?(address\.)?/, '') as Field | undefined;
        if (field && FIELDS.some(([f]) => f === field) && d.message) errors[field] = d.message;
      }
      this.errors = errors;
      this.host.requestUpdate();
    }
    throw error;
  }

  #field([id, label, autocomplete, max]: (typeof FIELDS)[number], disabled: boolean): TemplateResult {
    const error = this.errors[id];
    let hint: TemplateResult | typeof nothing = nothing;
    if (id === 'tax_id') {
      const vat = checkVatId(this.values.tax_id);
      hint =
        vat.kind === 'valid'
          ? html`<p class="hint hint--ok" id="tax_id-hint">${msg(str`Valid format: ${vat.value}`)}</p>`
          : html`<p class="hint" id="tax_id-hint">${msg('EU VAT numbers start with the country code, like DE123456789.')}</p>`;
    }
    if (id === 'country') return this.#country(error, disabled);
    return html`<div class="field ${WIDE.includes(id) ? 'field--wide' : ''}">
      <label class="label" for=${id}>${label()}</label>
      <input
        id=${id}
        class="input"
        name=${id}
        type=${id === 'email' ? 'email' : 'text'}
        autocomplete=${autocomplete}
        maxlength=${max}
        .value=${this.values[id]}
        ?disabled=${disabled}
        aria-invalid=${error ? 'true' : 'false'}
        aria-describedby="${id}-error ${hint === nothing ? '' : `${id}-hint`}"
        @input=${(e: Event) => this.#set(id, (e.target as HTMLInputElement).value)}
        @blur=${id === 'tax_id' || id === 'email' ? () => this.#blurred(id) : nothing}
      />
      ${hint}
      <p class="field-error" id="${id}-error">${error ?? ''}</p>
    </div>`;
  }

  /** Left a checked field: its check now. A valid EU VAT number with no country yet chooses its country. */
  #blurred(id: Field): void {
    if (id === 'tax_id' && !this.values.country.trim() && checkVatId(this.values.tax_id).kind === 'valid') {
      this.values = { ...this.values, country: vatCountry(this.values.tax_id) ?? '' };
    }
    this.errors = { ...this.errors, [id]: this.#check()[id] };
    this.host.requestUpdate();
  }

  /** The country, from the ISO list named in the customer's language; a stored code the list lacks stays choosable. */
  #country(error: string | undefined, disabled: boolean): TemplateResult {
    const value = this.values.country.trim().toUpperCase();
    const list = countries();
    const unknown = value && !list.some(([code]) => code === value);
    return html`<div class="field">
      <label class="label" for="country">${msg('Country')}</label>
      <select
        id="country"
        class="input select"
        name="country"
        autocomplete="country"
        ?disabled=${disabled}
        aria-invalid=${error ? 'true' : 'false'}
        aria-describedby="country-error"
        @change=${(e: Event) => {
          this.#set('country', (e.target as HTMLSelectElement).value);
          // The VAT number is checked against the country as soon as it changes.
          if (this.values.tax_id.trim()) this.#blurred('tax_id');
        }}
      >
        <option value="" ?selected=${!value}>—</option>
        ${unknown ? html`<option value=${value} selected>${value}</option>` : nothing}
        ${list.map(([code, name]) => html`<option value=${code} ?selected=${code === value}>${name}</option>`)}
      </select>
      <p class="field-error" id="country-error">${error ?? ''}</p>
    </div>`;
  }

  render(disabled: boolean): TemplateResult {
    return html`<div class="form">${this.#fields().map((field) => this.#field(field, disabled))}</div>`;
  }
}

export const detailsFormStyles = css`
  .form {
    display: grid;
    grid-template-columns: repeat(2, minmax(0, 1fr));
    align-items: start;
    gap: calc(var(--_space) * 1.75) calc(var(--_space) * 1.5);
  }
  .field--wide {
    grid-column: 1 / -1;
  }
  .hint--ok {
    color: var(--_success);
  }
  .select {
    appearance: none;
    padding-inline-end: 36px;
    background-image: linear-gradient(45deg, transparent 50%, var(--_muted) 50%), linear-gradient(135deg, var(--_muted) 50%, transparent 50%);
    background-position:
      calc(100% - 18px) 55%,
      calc(100% - 13px) 55%;
    background-size: 5px 5px;
    background-repeat: no-repeat;
  }
  .select:dir(rtl) {
    background-position:
      13px 55%,
      18px 55%;
  }
  @media (max-width: 520px) {
    .form {
      grid-template-columns: minmax(0, 1fr);
    }
  }
`;
