// The hosted confirm page (served by the session server at /hosted/confirm-payment, loaded into
// the widget's modal as an iframe, part of dist/hosted/payment-method.js): a payment the card's
// bank wants the customer to authenticate (SCA / 3-D Secure) runs its next action here, with
// Stripe.js (`handleNextAction`) or, offline, the test provider's stand-in for the bank's
// challenge (approve / fail). The server then settles it from the processor's own state.
import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { localeAttributes } from '../i18n/localize.js';
import { formatMoney } from '../i18n/money.js';
import { FrameController, post, type RequestError, takeFrameAddress } from './frame.js';
import { hostedStyles } from './styles.js';

/** POST /hosted/v1/confirm-payment/start (server/modules/hosted/confirm-payment.ts). */
interface Start {
  status: 'requires_action' | 'succeeded';
  provider?: 'test' | 'stripe';
  publishable_key?: string | null;
  payment_intent_id?: string;
  client_secret?: string;
  confirm_token?: string;
  parent_origin: string;
  order: { id: string; invoice_number: string; total: number; currency: string; subscription_id: string | null };
  organization?: { name: string; primary_color: string | null };
}

/**
 * Right to left, a name or number inside a sentence is its own island (FSI … PDI), and does not
 * wrap after its hyphens (word joiners): "INV-0007" stays whole among the Arabic around it.
 */
const isolated = (text: string): string => (localeAttributes().dir === 'rtl' ? `\u2068${text.replaceAll('-', '-\u2060')}\u2069` : text);

/** The payment was confirmed and settled: its order, and the subscription it was for (now active). */
export type PaymentConfirmed = { order_id: string; subscription: { id: string; status: string } | null };

/**
 * @summary The hosted confirm page: trades its single-use token for the payment's next action,
 * runs it (Stripe's 3-D Secure, or the test bank's challenge), has the server settle the payment
 * and tells the widget by postMessage, to the widget's origin only. A failed authentication
 * says what happens next and may be tried again.
 */
@localized()
export class HostedConfirmPayment extends LitElement {
  static override styles = [
    hostedStyles,
    css`
      .wrap {
        display: grid;
        gap: 16px;
        padding: 2px;
      }
      p {
        margin: 0;
      }
      .amount {
        font-size: 28px;
        font-weight: 650;
        font-variant-numeric: tabular-nums;
      }
      .muted {
        color: var(--_muted);
        font-size: 14px;
      }
      .bank {
        display: grid;
        gap: 12px;
        padding: 16px;
        border: 1px dashed var(--_border-strong);
        border-radius: 12px;
        background: var(--_sunken);
      }
      .bank h2 {
        margin: 0;
        font-size: 15px;
      }
      .tag {
        justify-self: start;
        padding: 2px 8px;
        border-radius: 999px;
        background: var(--_tag-background);
        color: var(--_tag-text);
        font-size: 12px;
        font-weight: 600;
      }
      .ok {
        padding: 12px 14px;
        border: 1px solid var(--_ok-border);
        border-radius: 8px;
        background: var(--_ok-background);
        color: var(--_ok-text);
      }
      button.danger {
        border-color: var(--_danger);
        color: var(--_danger);
      }
    `,
  ];

  /** `dark` when the widget's dialog is dark (the page's `?theme=dark`); set from the address on start. */
  @property({ reflect: true }) theme: 'light' | 'dark' = 'light';

  /** Set by the server when the page's token is not valid. */
  @property({ type: Boolean }) expired = false;

  @state() private start?: Start;
  @state() private failure = '';
  @state() private error = '';
  @state() private canRetry = false;
  @state() private busy = false;
  @state() private done = false;

  /** Talks to the widget: the frame's height, Escape inside it, and what happened. */
  #frame = new FrameController<PaymentConfirmed>(
    this,
    () => this.start?.parent_origin,
    () => this.busy,
  );

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#begin();
  }

  async #begin(): Promise<void> {
    const { language, theme, token } = takeFrameAddress();
    this.theme = theme;
    try {
      if (this.expired || !token) throw new Error(msg('This page has expired or was already used. Close it and try again.'));
      const start = await post<Start>('/hosted/v1/confirm-payment/start', { token });
      await language;
      this.#started(start);
    } catch (error) {
      this.failure = (error as Error).message;
      this.#frame.send({ type: 'cp:error', message: this.failure });
    }
  }

  #started(start: Start): void {
    if (start.organization?.primary_color) this.style.setProperty('--cp-color-primary', start.organization.primary_color);
    this.start = start;
    this.#frame.send({ type: 'cp:ready' });
    if (start.status === 'succeeded') this.#succeeded({ order_id: start.order.id, subscription: null });
  }

  #succeeded(result: PaymentConfirmed): void {
    this.done = true;
    this.#frame.send({ type: 'cp:success', ...result });
  }

  /** Runs the next action (Stripe's, or the test bank's answer), then has the server settle the payment. */
  private async confirm(outcome: 'approve' | 'fail'): Promise<void> {
    const start = this.start;
    if (!start || this.busy) return;
    this.busy = true;
    this.error = '';
    try {
      if (start.provider === 'stripe') {
        const { loadStripe } = await import('@stripe/stripe-js/pure');
        const stripe = await loadStripe(start.publishable_key ?? '');
        if (!stripe) throw new Error(msg('The secure payment step could not be loaded. Check your connection and try again.'));
        // Stripe shows the bank's challenge; its answer is read back by the server either way.
        await stripe.handleNextAction({ clientSecret: start.client_secret! });
      } else {
        await post(`/test-provider/payment-intents/${encodeURIComponent(start.payment_intent_id!)}/authenticate`, {
          client_secret: start.client_secret,
          outcome,
        });
      }
      const completed = await post<{ order: { id: string }; subscription: { id: string; status: string } | null }>('/hosted/v1/confirm-payment/complete', {
        confirm_token: start.confirm_token,
      });
      this.#succeeded({ order_id: completed.order.id, subscription: completed.subscription });
    } catch (error) {
      this.error = (error as Error).message;
      this.canRetry = Boolean((error as RequestError).details?.can_retry);
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('[role="alert"]')?.focus();
    } finally {
      this.busy = false;
    }
  }

  /** After a failed authentication: the same payment, its next action again. */
  private async retry(): Promise<void> {
    const start = this.start;
    if (!start?.confirm_token || this.busy) return;
    this.busy = true;
    try {
      const again = await post<Start>('/hosted/v1/confirm-payment/start', { confirm_token: start.confirm_token });
      this.error = '';
      this.canRetry = false;
      this.#started(again);
    } catch (error) {
      this.error = (error as Error).message;
    } finally {
      this.busy = false;
    }
  }

  private renderChallenge(): TemplateResult {
    const start = this.start!;
    if (this.error) {
      return html`<p class="alert" role="alert" tabindex="-1">${this.error}</p>
        <div class="actions">
          <button type="button" ?disabled=${this.busy} @click=${() => this.#frame.send({ type: 'cp:cancel' })}>${msg('Close')}</button>
          ${this.canRetry ? html`<button type="button" class="primary" ?disabled=${this.busy} @click=${this.retry}>${msg('Try again')}</button>` : ''}
        </div>`;
    }
    if (start.provider === 'stripe') {
      return html`<div class="actions">
        <button type="button" ?disabled=${this.busy} @click=${() => this.#frame.send({ type: 'cp:cancel' })}>${msg('Cancel')}</button>
        <button type="button" class="primary" ?disabled=${this.busy} aria-busy=${this.busy ? 'true' : 'false'} @click=${() => this.confirm('approve')}>
          ${this.busy ? msg('Confirming…') : msg('Confirm payment')}
        </button>
      </div>`;
    }
    // Offline: what the bank's 3-D Secure page would ask, as Stripe's test page does.
    return html`<section class="bank" aria-labelledby="bank">
      <span class="tag">${msg('Test mode')}</span>
      <h2 id="bank">${msg('Test bank · 3-D Secure')}</h2>
      <p class="muted">${msg('A real bank would ask for a code or its app here. Choose how this test payment is answered.')}</p>
      <div class="actions">
        <button type="button" class="danger" ?disabled=${this.busy} @click=${() => this.confirm('fail')}>${msg('Fail authentication')}</button>
        <button type="button" class="primary" ?disabled=${this.busy} aria-busy=${this.busy ? 'true' : 'false'} @click=${() => this.confirm('approve')}>
          ${this.busy ? msg('Confirming…') : msg('Approve payment')}
        </button>
      </div>
    </section>`;
  }

  override render(): TemplateResult {
    if (this.failure) return html`<p class="alert" role="alert">${this.failure}</p>`;
    const start = this.start;
    if (!start) return html`<p class="muted" role="status">${msg('Loading…')}</p>`;
    const amount = formatMoney(start.order.total, start.order.currency.toUpperCase());
    if (this.done) return html`<p class="ok" role="status">${msg(str`Payment of ${amount} confirmed. Thank you!`)}</p>`;
    return html`<div class="wrap">
      <div>
        <p class="amount"><bdi dir="ltr">${amount}</bdi></p>
        <p class="muted">
          ${msg(str`Your bank asks you to confirm this payment to ${isolated(start.organization?.name ?? '')} for invoice ${isolated(start.order.invoice_number)}.`)}
        </p>
      </div>
      ${this.renderChallenge()}
    </div>`;
  }
}

if (!customElements.get('cp-hosted-confirm-payment')) customElements.define('cp-hosted-confirm-payment', HostedConfirmPayment);

declare global {
  interface HTMLElementTagNameMap {
    'cp-hosted-confirm-payment': HostedConfirmPayment;
  }
}
