import { msg } from '@lit/localize';
import { property } from 'lit/decorators.js';
import type { Http } from '../../api/http.js';
import { openConfirmSession } from '../../api/payment-methods.js';
import type { PaymentConfirmed } from '../../hosted/confirm-payment.js';
import type { HostedSession } from '../../schemas/payments.js';
import { type HostedFrame, HostedFrameDialog } from '../../ui/hosted-frame-dialog.js';

/** The payment was confirmed (the dialog's own event; `detail.order_id`). */
export class PaymentConfirmedEvent extends Event {
  constructor(readonly detail: PaymentConfirmed) {
    super('confirmed');
  }
}

/**
 * @summary The modal that holds the session server's hosted confirm page (an iframe), where a
 * payment the card's bank wants authenticated (3-D Secure) is confirmed: from the past-due
 * banner (the oldest waiting payment) or a change dialog (`order-id`). Accepts messages only
 * from the server's origin and that iframe (`HostedFrameDialog`).
 *
 * @event confirmed - The payment was confirmed and settled.
 * @event close - The dialog closed.
 * @internal Used inside the views only; not part of the public API.
 */
export class ConfirmPaymentDialog extends HostedFrameDialog<PaymentConfirmed> {
  /** The order whose payment to confirm; unset: the customer's oldest waiting payment. */
  @property({ attribute: 'order-id' }) orderId = '';

  protected override hostedFrame(): HostedFrame {
    return {
      title: msg('Confirm payment'),
      frame: msg('Confirm your payment with your bank'),
      loading: msg('Loading the secure payment step…'),
      bars: [['60%', '32px'], ['100%'], ['100%', '44px']],
    };
  }

  protected override openSession(http: Http): Promise<HostedSession> {
    return openConfirmSession(http, this.orderId || undefined);
  }

  protected override succeeded(confirmed: PaymentConfirmed): void {
    this.dispatchEvent(new PaymentConfirmedEvent({ order_id: String(confirmed.order_id), subscription: confirmed.subscription ?? null }));
    // The page says "confirmed"; the dialog closes a moment later so the customer sees it.
    this.close(1200);
  }
}

ConfirmPaymentDialog.define('customer-portal-confirm-payment-dialog');

declare global {
  interface HTMLElementTagNameMap {
    'customer-portal-confirm-payment-dialog': ConfirmPaymentDialog;
  }
}
