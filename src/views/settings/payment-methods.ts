import { msg, str } from '@lit/localize';
import { css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { ApiError } from '../../api/errors.js';
import type { Http } from '../../api/http.js';
import { fetchPaymentMethods, openHostedSession, paymentMethodAction } from '../../api/payment-methods.js';
import { NavigateEvent, PaymentMethodUpdatedEvent, type PaymentMethodUpdatedDetail } from '../../events.js';
import type { CardSaved } from '../../hosted/payment-method.js';
import type { HostedSession, PaymentMethod } from '../../schemas/payments.js';
import { alert } from '../../ui/alert.js';
import { badge } from '../../ui/badge.js';
import { busyLabel } from '../../ui/button.js';
import { type HostedFrame, HostedFrameDialog } from '../../ui/hosted-frame-dialog.js';
import { skeleton } from '../../ui/skeleton.js';
import { intent, ViewElement } from '../../ui/view-element.js';
import { Confirm } from '../billing/confirm.js';
import { emptyState } from '../billing/empty.js';

type List = { data: PaymentMethod[] };

const cardLabel = (m: PaymentMethod) => `${m.brand.charAt(0).toUpperCase()}${m.brand.slice(1)} •••• ${m.last4}`;
const expiry = (m: PaymentMethod) => `${String(m.exp_month).padStart(2, '0')}/${String(m.exp_year % 100).padStart(2, '0')}`;
/** Cards work until the end of their expiry month. */
const expired = (m: PaymentMethod) => new Date() >= new Date(m.exp_year, m.exp_month, 1);
/** Within a month (31 days) of its end: when the server's expiring-card email goes out for the default card. */
const expiresSoon = (m: PaymentMethod) => !expired(m) && new Date(m.exp_year, m.exp_month, 1).getTime() - Date.now() <= 31 * 24 * 60 * 60 * 1000;

/**
 * @summary The modal that holds the session server's hosted card form (an iframe): card data
 * goes from it to the payment provider only. It talks to the form by postMessage, accepting
 * messages only from the server's origin and that iframe (`HostedFrameDialog`).
 *
 * @event cp-payment-method-updated - The card was saved and made the default.
 * @event close - The dialog closed.
 * @internal Used inside the views only; not part of the public API.
 */
export class PaymentMethodDialog extends HostedFrameDialog<CardSaved> {
  protected override hostedFrame(): HostedFrame {
    return {
      title: msg('Update payment method'),
      frame: msg('Secure card form'),
      loading: msg('Loading the secure card form…'),
      bars: [['40%'], ['100%', '44px'], ['100%', '44px']],
    };
  }

  protected override openSession(http: Http): Promise<HostedSession> {
    return openHostedSession(http);
  }

  protected override succeeded(saved: CardSaved): void {
    this.emit(new PaymentMethodUpdatedEvent({ change: 'added', paymentMethodId: saved.payment_method.id, retried: saved.retried ?? [] }));
    this.close();
  }
}

/**
 * @summary The customer's saved cards: brand, last four digits, expiry, which is the default;
 * make another the default, remove one (after a confirmation; the server refuses to remove
 * the only card of a live subscription and says why), and add or update a card in the
 * session server's hosted form. Used on its own and inside `<customer-portal-settings>`.
 *
 * @event cp-payment-method-updated - A card was added, made the default or removed.
 * @csspart base - The section.
 * @csspart card - The card.
 * @csspart badge - "Default", "Expired".
 * @csspart past-due - The banner shown while a payment has failed.
 */
export class CustomerPortalPaymentMethods extends ViewElement {
  static override styles = [
    ...ViewElement.styles,
    css`
      .brand {
        flex: none;
        width: 36px;
        height: 36px;
        padding: 7px;
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        fill: none;
        stroke: var(--_muted);
        stroke-width: 1.6;
      }
    `,
  ];

  @state() private adding = false;
  /** The id of the card being made the default. */
  @state() private defaulting = '';
  @state() private actionError = '';

  /** The cards, when the settings view already loaded them with the profile: no second request. */
  @property({ attribute: false }) initial?: PaymentMethod[];

  #list = this.load((http, signal) => {
    const first = this.initial;
    this.initial = undefined;
    return first ? Promise.resolve({ data: first }) : fetchPaymentMethods(http, signal);
  });
  #confirm = new Confirm(this);

  #updated(detail: PaymentMethodUpdatedDetail, announcement: string): Promise<void> {
    this.announcement = announcement;
    if (detail.change !== 'added') this.emit(new PaymentMethodUpdatedEvent(detail));
    return this.refetch(fetchPaymentMethods);
  }

  private onAdded(event: PaymentMethodUpdatedEvent): void {
    const failed = event.detail.retried.find((r) => !r.ok);
    this.actionError = failed?.message ?? '';
    const paid = event.detail.retried.some((r) => r.ok);
    void this.#updated(
      event.detail,
      paid
        ? `${msg('Your card was saved and is now your default payment method.')} ${msg('Payment received.')}`
        : msg('Your card was saved and is now your default payment method.'),
    );
  }

  private async makeDefault(method: PaymentMethod): Promise<void> {
    this.defaulting = method.id;
    this.actionError = '';
    try {
      await paymentMethodAction(this.connection!.http, method.id, 'default', crypto.randomUUID());
      await this.#updated({ change: 'default', paymentMethodId: method.id, retried: [] }, msg(str`${cardLabel(method)} is now your default payment method.`));
    } catch (error) {
      this.actionError = (error as ApiError).message;
    } finally {
      this.defaulting = '';
    }
  }

  private askRemove(method: PaymentMethod): void {
    this.#confirm.ask({
      title: msg(str`Remove ${cardLabel(method)}?`),
      text: msg('This card will not be charged again. You can add it back at any time.'),
      action: msg('Remove card'),
      working: msg('Removing…'),
      run: async (key) => {
        await paymentMethodAction(this.connection!.http, method.id, 'remove', key);
        await this.#updated({ change: 'removed', paymentMethodId: method.id, retried: [] }, msg(str`${cardLabel(method)} was removed.`));
      },
    });
  }

  private renderMethod(method: PaymentMethod): TemplateResult {
    const label = cardLabel(method);
    const busy = this.defaulting === method.id;
    return html`<li class="entry">
      <svg class="brand" viewBox="0 0 24 24" aria-hidden="true"><rect x="2" y="5" width="20" height="14" rx="2" /><path d="M2 10h20" /></svg>
      <div class="entry__main">
        <span class="entry__title">${label} ${method.is_default ? badge('info', msg('Default')) : nothing}</span>
        <span class="muted"
          >${expired(method) ? badge('danger', msg(str`Expired ${expiry(method)}`)) : msg(str`Expires ${expiry(method)}`)}
          ${expiresSoon(method) ? badge('warning', msg('Expires soon')) : nothing}</span
        >
      </div>
      <div class="entry__actions">
        ${
          method.is_default
            ? nothing
            : html`<button
              type="button"
              class="button button--secondary button--small"
              ?disabled=${Boolean(this.defaulting)}
              aria-busy=${busy ? 'true' : 'false'}
              aria-label=${msg(str`Make default: ${label}`)}
              @click=${() => this.makeDefault(method)}
            >
              ${busyLabel(busy, msg('Make default'), msg('Saving…'))}
            </button>`
        }
        <button type="button" class="button button--ghost button--small" aria-label=${msg(str`Remove ${label}`)} @click=${() => this.askRemove(method)}>
          ${msg('Remove')}
        </button>
      </div>
    </li>`;
  }

  private renderCard(list: List | undefined): TemplateResult {
    const methods = list?.data;
    const add = html`<button
      type="button"
      class="button ${this.pastDue ? 'button--primary' : 'button--secondary'} button--small add"
      @click=${() => (this.adding = true)}
    >
      ${methods?.length ? msg('Update payment method') : msg('Add payment method')}
    </button>`;
    return html`<div class="card" part="card">
      <div class="card__header card__header--row">
        <div>
          ${this.embedded ? html`<h3 class="card__title">${msg('Payment methods')}</h3>` : nothing}
          <p class="card__description">${msg('The default card pays your subscriptions and invoices.')}</p>
        </div>
        ${methods?.length ? add : nothing}
      </div>
      ${
        !methods
          ? html`<div class="card__body placeholder" aria-busy="true">
            <p class="visually-hidden" role="status">${msg('Loading your payment methods…')}</p>
            ${skeleton('60%', '1.25em')} ${skeleton('40%')}
          </div>`
          : methods.length
            ? html`<ul class="rows" role="list">${methods.map((m) => this.renderMethod(m))}</ul>`
            : emptyState('card', msg('No payment method yet'), msg('Add a card to pay for your subscriptions.'), add)
      }
      <div role="alert">${this.actionError ? html`<div class="card__body">${alert('danger', this.actionError)}</div>` : nothing}</div>
    </div>
    ${this.#confirm.render()}
    <customer-portal-payment-method-dialog
      .http=${this.connection?.http}
      ?open=${this.adding}
      @cp-payment-method-updated=${this.onAdded}
      @close=${this.closeForm}
    ></customer-portal-payment-method-dialog>`;
  }

  /**
   * The card form closed: an address that opened it (`#cp/settings/payment-method`, the
   * payment-failed email's link) goes back to the settings', in place, so Back does not open it
   * again. Only inside the full portal (here or within its settings), which answers the request.
   */
  private closeForm(): void {
    this.adding = false;
    let root = this.getRootNode() as ShadowRoot | Document;
    while (root instanceof ShadowRoot) {
      const host = root.host as HTMLElement & { view?: string };
      if (host.localName === 'customer-portal') {
        if (!host.view) this.emit(new NavigateEvent({ view: 'settings', replace: true }));
        return;
      }
      root = host.getRootNode() as ShadowRoot | Document;
    }
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Shown again (the portal keeps its views): the banner may have sent the customer here.
    if (intent.updatePaymentMethod) this.requestUpdate();
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    // Brought here by the past-due banner: the card form opens at once.
    if (intent.updatePaymentMethod && this.session.status === 'signed-in') {
      intent.updatePaymentMethod = false;
      this.adding = true;
    }
  }

  override render(): unknown {
    const list = (this.fresh as List | undefined) ?? this.#list.value;
    return this.renderView(
      msg('Payment methods'),
      msg('Cards you pay with.'),
      this.#list,
      () => this.renderCard(undefined),
      () => this.renderCard(list),
    );
  }
}

PaymentMethodDialog.define('customer-portal-payment-method-dialog');
CustomerPortalPaymentMethods.define('customer-portal-payment-methods');

declare global {
  interface HTMLElementTagNameMap {
    'customer-portal-payment-method-dialog': PaymentMethodDialog;
    'customer-portal-payment-methods': CustomerPortalPaymentMethods;
  }
}
