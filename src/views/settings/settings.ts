import { msg } from '@lit/localize';
import { css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import type { ApiError } from '../../api/errors.js';
import { fetchExport, fetchMeWithPaymentMethods, updateMe } from '../../api/me.js';
import type { Http } from '../../api/http.js';
import type { MeWithPaymentMethods } from '../../schemas/payments.js';
import { saveBlob } from '../../api/files.js';
import type { Me } from '../../schemas/customer.js';
import { alert } from '../../ui/alert.js';
import { busyLabel } from '../../ui/button.js';
import { intent } from '../../ui/view-element.js';
import { CustomerPortalAccount } from '../account/account.js';
import { DetailsForm, detailsFormStyles } from '../billing/details-form.js';
import './payment-methods.js';

/**
 * @summary Settings: payment methods (through the hosted card form), billing information
 * printed on invoices (name, company, billing email, address, tax id with the EU VAT format
 * checked as it is typed), the account (name, email change, customer id and external id),
 * a download of everything the portal holds about the customer, and sign-out.
 *
 * @event cp-payment-method-updated - A card was added, made the default or removed.
 * @event cp-signed-out - The customer signed out (when the view is used on its own).
 * @csspart base - The section.
 * @csspart card - Each card.
 * @csspart past-due - The banner shown while a payment has failed.
 */
export class CustomerPortalSettings extends CustomerPortalAccount {
  static override styles = [
    ...CustomerPortalAccount.styles,
    detailsFormStyles,
    css`
      .actions {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: calc(var(--_space) * 1.5);
        margin-top: calc(var(--_space) * 2);
      }
      .saved {
        color: var(--_success);
        font-size: 0.875rem;
      }
    `,
  ];

  protected override section = 'settings' as const;

  protected override fetchProfile(http: Http, signal: AbortSignal): Promise<MeWithPaymentMethods> {
    return fetchMeWithPaymentMethods(http, signal);
  }

  @state() private billingBusy = false;
  @state() private billingError = '';
  @state() private billingSaved = false;
  @state() private exporting = false;
  @state() private exportError = '';

  #form = new DetailsForm(this, true, () => (this.billingSaved = false));
  /** The customer the form was filled from. */
  #formFor?: Me;

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    // `#cp/settings/payment-method` (the payment-failed email's link): the card form opens.
    if (changed.has('detail') && this.detail === 'payment-method') {
      intent.updatePaymentMethod = true;
      this.renderRoot.querySelector<HTMLElement & { requestUpdate(): void }>('customer-portal-payment-methods')?.requestUpdate();
    }
    const customer = this.saved ?? this.me.value;
    if (customer && customer !== this.#formFor) {
      this.#formFor = customer;
      // The name on invoices starts as the profile's: an empty billing name printed nobody.
      this.#form.reset({ ...customer.billing_details, name: customer.billing_details.name || customer.name });
    }
  }

  private async saveBilling(event: Event): Promise<void> {
    event.preventDefault();
    const http = this.connection?.http;
    if (!http || this.billingBusy || !(await this.#form.validate(this.renderRoot))) return;
    this.billingBusy = true;
    this.billingError = '';
    try {
      this.saved = await updateMe(http, { billing_details: this.#form.body() }).catch((error: unknown) => this.#form.fieldErrors(error));
      this.billingSaved = true;
      this.announcement = msg('Billing information saved.');
    } catch (error) {
      this.billingError = (error as ApiError).message;
    } finally {
      this.billingBusy = false;
    }
  }

  private async download(): Promise<void> {
    const http = this.connection?.http;
    if (!http || this.exporting) return;
    this.exporting = true;
    this.exportError = '';
    try {
      saveBlob(await fetchExport(http), 'my-data.json');
      this.announcement = msg('Your data was downloaded.');
    } catch (error) {
      this.exportError = (error as ApiError).message;
    } finally {
      this.exporting = false;
    }
  }

  private renderBilling(): TemplateResult {
    const busy = this.billingBusy;
    return html`<form class="card" part="card" novalidate @submit=${this.saveBilling}>
      <div class="card__header">
        <h3 class="card__title">${msg('Billing information')}</h3>
        <p class="card__description">${msg('Printed on your next invoices. Receipts go to the billing email.')}</p>
      </div>
      <div class="card__body">
        ${this.#form.render(busy)}
        <div role="alert">${this.billingError ? alert('danger', this.billingError) : nothing}</div>
        <div class="actions">
          <button type="submit" class="button button--primary" ?disabled=${busy} aria-busy=${busy ? 'true' : 'false'}>
            ${busyLabel(busy, msg('Save billing information'), msg('Saving…'))}
          </button>
          ${this.billingSaved ? html`<span class="saved">${msg('Saved')}</span>` : nothing}
        </div>
      </div>
    </form>`;
  }

  private renderData(): TemplateResult {
    return html`<div class="card" part="card">
      <div class="card__body action">
        <div class="action__text">
          <h3 class="card__title">${msg('Your data')}</h3>
          <p class="card__description">${msg('Download everything we hold about your account, as a JSON file.')}</p>
        </div>
        <button type="button" class="button button--secondary" ?disabled=${this.exporting} aria-busy=${this.exporting ? 'true' : 'false'} @click=${this.download}>
          ${busyLabel(this.exporting, msg('Download my data'), msg('Preparing…'))}
        </button>
      </div>
      <div role="alert">${this.exportError ? html`<div class="card__body">${alert('danger', this.exportError)}</div>` : nothing}</div>
    </div>`;
  }

  override render(): unknown {
    return this.renderView(
      msg('Settings'),
      msg('Payment methods, billing information and your account.'),
      this.me,
      () => this.renderLoading(),
      (customer) => [
        html`<customer-portal-payment-methods
        embedded
        org=${this.org}
        server-url=${this.serverUrl}
        .initial=${(customer as Partial<MeWithPaymentMethods>).payment_methods}
      ></customer-portal-payment-methods>`,
        this.renderBilling(),
        this.renderProfile(this.saved ?? customer),
        this.renderData(),
        this.renderSignOut(),
      ],
    );
  }
}

CustomerPortalSettings.define('customer-portal-settings');

declare global {
  interface HTMLElementTagNameMap {
    'customer-portal-settings': CustomerPortalSettings;
  }
}
