import { msg } from '@lit/localize';
import { css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { ApiError } from '../../api/errors.js';
import type { Http } from '../../api/http.js';
import { openConfirmSession } from '../../api/payment-methods.js';
import { getLocale } from '../../i18n/localize.js';
import type { HostedSession } from '../../schemas/payments.js';
import { tokens } from '../../styles/tokens.js';
import { alert, alertStyles } from '../../ui/alert.js';
import { buttonStyles } from '../../ui/button.js';
import '../../ui/dialog.js';
import { PortalElement } from '../../ui/portal-element.js';
import { skeleton, skeletonStyles } from '../../ui/skeleton.js';

/** What the hosted confirm page says to the widget (see src/hosted/confirm-payment.ts). */
type ConfirmMessage =
  | { type: 'cp:ready' | 'cp:cancel' }
  | { type: 'cp:resize'; height: number }
  | { type: 'cp:error'; message: string }
  | { type: 'cp:success'; order_id: string; subscription: { id: string; status: string } | null };

/** The payment was confirmed (the dialog's own event; `detail.order_id`). */
export class PaymentConfirmedEvent extends Event {
  constructor(readonly detail: { order_id: string; subscription: { id: string; status: string } | null }) {
    super('confirmed');
  }
}

/**
 * @summary The modal that holds the session server's hosted confirm page (an iframe), where a
 * payment the card's bank wants authenticated (3-D Secure) is confirmed: from the past-due
 * banner (the oldest waiting payment) or a change dialog (`order-id`). Accepts messages only
 * from the server's origin and that iframe.
 *
 * @event confirmed - The payment was confirmed and settled.
 * @event close - The dialog closed.
 * @internal Used inside the views only; not part of the public API.
 */
export class ConfirmPaymentDialog extends PortalElement {
  static override styles = [
    tokens,
    buttonStyles,
    alertStyles,
    skeletonStyles,
    css`
      iframe {
        display: block;
        width: 100%;
        border: 0;
        transition: height var(--_duration);
      }
      .loading {
        display: grid;
        gap: 12px;
      }
    `,
  ];

  @property({ attribute: false }) http?: Http;
  @property({ type: Boolean }) open = false;
  /** The order whose payment to confirm; unset: the customer's oldest waiting payment. */
  @property({ attribute: 'order-id' }) orderId = '';

  @state() private session?: HostedSession;
  @state() private ready = false;
  @state() private height = 240;
  @state() private error = '';
  @state() private scheme: 'light' | 'dark' = 'light';
  #starting = false;

  #onMessage = (event: MessageEvent): void => {
    const frame = this.renderRoot.querySelector('iframe');
    if (!this.session || event.origin !== this.session.server_origin || !frame || event.source !== frame.contentWindow) return;
    const data = event.data as ConfirmMessage;
    if (data.type === 'cp:ready') this.ready = true;
    else if (data.type === 'cp:resize') this.height = Math.min(Math.max(Number(data.height) || 0, 120), 2000);
    else if (data.type === 'cp:cancel') this.close();
    else if (data.type === 'cp:error') this.error = String(data.message);
    else if (data.type === 'cp:success') {
      this.dispatchEvent(new PaymentConfirmedEvent({ order_id: String(data.order_id), subscription: data.subscription ?? null }));
      // The page says "confirmed"; the dialog closes a moment later so the customer sees it.
      setTimeout(() => this.close(), 1200);
    }
  };

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('message', this.#onMessage);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('message', this.#onMessage);
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    if (this.open && !this.session && !this.error) void this.start();
  }

  /** A new single-use page each time: the previous one's token was spent. */
  private async start(): Promise<void> {
    if (this.#starting) return;
    this.#starting = true;
    this.session = undefined;
    this.ready = false;
    this.error = '';
    this.scheme = getComputedStyle(this).colorScheme.includes('dark') ? 'dark' : 'light';
    try {
      this.session = await openConfirmSession(this.http!, this.orderId || undefined);
    } catch (error) {
      this.error = (error as ApiError).message;
    } finally {
      this.#starting = false;
    }
  }

  private close(): void {
    this.renderRoot.querySelector('customer-portal-dialog')?.requestClose();
  }

  private onClose(): void {
    this.open = false;
    this.session = undefined;
    this.error = '';
    this.dispatchEvent(new Event('close'));
  }

  override render(): TemplateResult {
    const session = this.session;
    return html`<customer-portal-dialog label=${msg('Confirm payment')} no-footer ?open=${this.open} @close=${this.onClose}>
      ${
        this.error
          ? alert(
              'danger',
              this.error,
              html`<button type="button" class="button button--secondary button--small" @click=${this.start}>${msg('Try again')}</button>`,
            )
          : nothing
      }
      ${
        !this.ready && !this.error
          ? html`<div class="loading" role="status" aria-label=${msg('Loading the secure payment step…')}>
            ${skeleton('60%', '32px')} ${skeleton('100%')} ${skeleton('100%', '44px')}
          </div>`
          : nothing
      }
      ${
        session && !this.error
          ? html`<iframe
            src=${`${session.url}&locale=${getLocale()}&theme=${this.scheme}`}
            title=${msg('Confirm your payment with your bank')}
            style="height:${this.ready ? this.height : 0}px;color-scheme:${this.scheme}"
            allow="payment"
            referrerpolicy="no-referrer"
          ></iframe>`
          : nothing
      }
    </customer-portal-dialog>`;
  }
}

ConfirmPaymentDialog.define('customer-portal-confirm-payment-dialog');

declare global {
  interface HTMLElementTagNameMap {
    'customer-portal-confirm-payment-dialog': ConfirmPaymentDialog;
  }
}
