// The hosted payment-method page (served by the session server at /hosted/payment-method,
// loaded into the widget's modal as an iframe). Its own build: dist/hosted/payment-method.js.
// Card data goes from here to the payment provider only (Stripe's Payment Element, or the
// offline test provider's stand-in); the merchant's page and our server never see it.
import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { Stripe, StripeElementLocale, StripeElements } from '@stripe/stripe-js';
import { getLocale } from '../i18n/localize.js';
import { luhnValid } from '../schemas/card.js';
import type { PaymentMethodUpdatedDetail } from '../events.js';
import type { PaymentMethod } from '../schemas/payments.js';
import { FrameController, post, takeFrameAddress } from './frame.js';
import { hostedStyles } from './styles.js';
// The hosted confirm page (3-D Secure) ships in the same bundle: one script for both hosted pages.
import './confirm-payment.js';

/** POST /hosted/v1/payment-method/start (server/modules/hosted/payment-method.ts). */
interface Start {
  provider: 'test' | 'stripe';
  publishable_key: string | null;
  setup_intent_id: string;
  client_secret: string;
  confirm_token: string;
  parent_origin: string;
  organization: { name: string; primary_color: string | null };
}

/** The card was saved, made the default, and any failed renewal charged again (`retried`). */
export type CardSaved = { payment_method: PaymentMethod; retried: PaymentMethodUpdatedDetail['retried'] };

const expired = () => msg('This form has expired or was already used. Close it and try again.');

/** `#rrggbb` mixed 55 % with white, as the widget's dark palette lightens the brand colour (src/styles/tokens.ts). */
export function lighten(hex: string): string {
  if (!/^#[0-9a-f]{6}$/i.test(hex)) return hex;
  const channel = (i: number) =>
    Math.round(parseInt(hex.slice(i, i + 2), 16) * 0.55 + 255 * 0.45)
      .toString(16)
      .padStart(2, '0');
  return `#${channel(1)}${channel(3)}${channel(5)}`;
}

/** "4242424242424242" → "4242 4242 4242 4242" (Amex: 4-6-5). */
export function formatCardNumber(value: string): string {
  const digits = value.replace(/\D/g, '').slice(0, 19);
  const groups = /^3[47]/.test(digits) ? [4, 6, 5] : [4, 4, 4, 4, 3];
  const parts: string[] = [];
  let at = 0;
  for (const size of groups) {
    if (at >= digits.length) break;
    parts.push(digits.slice(at, at + size));
    at += size;
  }
  return parts.join(' ');
}

/** "1", "12", "123" → "1", "12 / ", "12 / 3". */
export function formatExpiry(value: string, deleting = false): string {
  let digits = value.replace(/\D/g, '').slice(0, 4);
  if (digits.length === 1 && Number(digits) > 1) digits = `0${digits}`;
  if (digits.length < 2) return digits;
  if (digits.length === 2) return deleting ? digits : `${digits} / `;
  return `${digits.slice(0, 2)} / ${digits.slice(2)}`;
}

/**
 * @summary The card form in the hosted payment-method page: trades the page's single-use
 * token for a SetupIntent, shows the provider's form (Stripe's Payment Element, or a card
 * form for the offline test provider), confirms the card with the provider, completes it
 * with the server (it becomes the default and an unpaid renewal is retried) and tells the
 * widget by postMessage, to the widget's origin only.
 */
@localized()
export class HostedPaymentMethod extends LitElement {
  static override styles = [
    hostedStyles,
    css`
    form {
      display: grid;
      gap: 16px;
      padding: 2px;
    }
    .row {
      display: grid;
      grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
      gap: 12px;
    }
    .field {
      display: grid;
      gap: 6px;
    }
    label {
      font-size: 14px;
      font-weight: 550;
    }
    input {
      width: 100%;
      min-width: 0;
      min-height: 44px;
      padding: 0 12px;
      border: 1px solid var(--_border-strong);
      border-radius: 8px;
      background: var(--_surface);
      color: inherit;
      font: inherit;
      font-variant-numeric: tabular-nums;
    }
    input::placeholder {
      color: var(--_muted);
    }
    input:focus {
      outline: 2px solid var(--_primary);
      outline-offset: 1px;
      border-color: var(--_primary);
    }
    input[aria-invalid='true'] {
      border-color: var(--_danger);
    }
    .error {
      margin: 0;
      color: var(--_danger);
      font-size: 14px;
    }
    .error:empty {
      display: none;
    }
    .note {
      margin: 0;
      color: var(--_muted);
      font-size: 13px;
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
  @state() private busy = false;
  @state() private done = false;
  @state() private number = '';
  @state() private expiry = '';
  @state() private cvc = '';
  @state() private numberError = '';

  #stripe?: Stripe;
  #elements?: StripeElements;
  /** Talks to the widget: the frame's height, Escape inside it, and what happened. */
  #frame = new FrameController<CardSaved>(
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
      if (this.expired || !token) throw new Error(expired());
      const start = await post<Start>('/hosted/v1/payment-method/start', { token });
      if (start.organization.primary_color) this.style.setProperty('--cp-color-primary', start.organization.primary_color);
      this.start = start;
      // Stripe's form is told the language once, when it is mounted.
      if (start.provider === 'stripe') await language.then(() => this.#mountStripe(start));
      await this.updateComplete;
      if (start.provider === 'test') this.#ready();
    } catch (error) {
      this.failure = (error as Error).message;
      this.#frame.send({ type: 'cp:error', message: this.failure });
    }
  }

  #ready(): void {
    this.#frame.send({ type: 'cp:ready' });
    this.#frame.sendHeight();
  }

  async #mountStripe(start: Start): Promise<void> {
    const { loadStripe } = await import('@stripe/stripe-js/pure');
    const stripe = await loadStripe(start.publishable_key ?? '');
    if (!stripe) throw new Error(msg('The secure card form could not be loaded. Check your connection and try again.'));
    this.#stripe = stripe;
    const locale = getLocale();
    this.#elements = stripe.elements({
      clientSecret: start.client_secret,
      // Stripe's name for the language; it has no Ukrainian (it then follows the browser).
      locale: (locale === 'zh-CN' ? 'zh' : locale === 'uk' ? 'auto' : locale) as StripeElementLocale,
      // Stripe's dark look ('night') in a dark dialog; the primary is lightened there as ours is.
      appearance: {
        theme: this.theme === 'dark' ? 'night' : 'stripe',
        variables: {
          colorPrimary: this.theme === 'dark' ? lighten(start.organization.primary_color ?? '#4f46e5') : (start.organization.primary_color ?? '#4f46e5'),
          borderRadius: '8px',
          ...(this.theme === 'dark' ? { colorBackground: '#18181b', colorText: '#f4f4f5' } : {}),
        },
      },
    });
    const element = this.#elements.create('payment', { layout: 'tabs' });
    // The Payment Element lives in the light DOM: Stripe mounts its own iframe there.
    const host = document.createElement('div');
    host.slot = 'stripe';
    this.append(host);
    element.on('ready', () => this.#ready());
    element.mount(host);
  }

  /** The test provider's card check: what Stripe.js would do in the browser. */
  #validate(): string {
    const number = this.number.replace(/\s/g, '');
    if (number.length < 12 || !luhnValid(number)) return msg('Your card number is invalid. Check it and try again.');
    const [month, year] = this.expiry.split('/').map((part) => Number(part.trim()));
    if (!month || month > 12 || year === undefined || Number.isNaN(year)) return msg('Enter the expiry date as MM / YY.');
    if (!/^\d{3,4}$/.test(this.cvc)) return msg('Your card’s security code is incomplete.');
    return '';
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    const start = this.start;
    if (!start || this.busy) return;
    this.error = '';
    if (start.provider === 'test') {
      this.error = this.#validate();
      if (this.error) return;
    }
    this.busy = true;
    try {
      if (start.provider === 'stripe') {
        const result = await this.#stripe!.confirmSetup({ elements: this.#elements!, redirect: 'if_required' });
        if (result.error) throw new Error(result.error.message ?? msg('Your card could not be saved.'));
      } else {
        const [month, year] = this.expiry.split('/').map((part) => Number(part.trim()));
        await post(`/test-provider/setup-intents/${encodeURIComponent(start.setup_intent_id)}/confirm`, {
          client_secret: start.client_secret,
          number: this.number.replace(/\s/g, ''),
          exp_month: month,
          exp_year: year,
          cvc: this.cvc,
        });
      }
      const completed = await post<CardSaved>('/hosted/v1/payment-method/complete', {
        confirm_token: start.confirm_token,
      });
      this.done = true;
      this.#frame.send({ type: 'cp:success', payment_method: completed.payment_method, retried: completed.retried });
    } catch (error) {
      this.error = (error as Error).message;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('[role="alert"]')?.focus();
    } finally {
      this.busy = false;
    }
  }

  private onNumber(event: InputEvent): void {
    const input = event.target as HTMLInputElement;
    this.number = input.value = formatCardNumber(input.value);
    const digits = this.number.replace(/\s/g, '');
    // As typed: a complete number that fails the check is a typo.
    this.numberError =
      digits.length >= 13 && digits.length >= (/^3[47]/.test(digits) ? 15 : 16) && !luhnValid(digits)
        ? msg('This card number is not valid. Check it for typos.')
        : '';
  }

  private onExpiry(event: InputEvent): void {
    const input = event.target as HTMLInputElement;
    this.expiry = input.value = formatExpiry(input.value, event.inputType?.startsWith('delete'));
  }

  private renderTestForm(): TemplateResult {
    return html`<div class="field">
        <label for="number">${msg('Card number')}</label>
        <input
          id="number"
          inputmode="numeric"
          autocomplete="cc-number"
          placeholder="1234 1234 1234 1234"
          maxlength="23"
          required
          .value=${this.number}
          aria-invalid=${this.numberError ? 'true' : 'false'}
          aria-describedby="number-error"
          @input=${this.onNumber}
        />
        <p class="error" id="number-error">${this.numberError}</p>
      </div>
      <div class="row">
        <div class="field">
          <label for="expiry">${msg('Expiry (MM / YY)')}</label>
          <input id="expiry" inputmode="numeric" autocomplete="cc-exp" placeholder="MM / YY" maxlength="7" required .value=${this.expiry} @input=${this.onExpiry} />
        </div>
        <div class="field">
          <label for="cvc">${msg('Security code')}</label>
          <input
            id="cvc"
            inputmode="numeric"
            autocomplete="cc-csc"
            placeholder="CVC"
            maxlength="4"
            required
            .value=${this.cvc}
            @input=${(e: InputEvent) => (this.cvc = (e.target as HTMLInputElement).value.replace(/\D/g, ''))}
          />
        </div>
      </div>
      <p class="note">${msg('Test mode: use 4242 4242 4242 4242 with any future date and any CVC.')}</p>`;
  }

  override render(): TemplateResult {
    if (this.failure) return html`<p class="alert" role="alert">${this.failure}</p>`;
    const start = this.start;
    if (!start) return html`<slot name="stripe"></slot>`;
    if (this.done) return html`<p role="status">${msg('Your card was saved.')}</p>`;
    return html`<form novalidate @submit=${this.submit}>
      ${start.provider === 'stripe' ? html`<slot name="stripe"></slot>` : this.renderTestForm()}
      <p class="alert" role="alert" tabindex="-1" ?hidden=${!this.error}>${this.error}</p>
      <p class="note">${msg(str`Your card is saved for ${start.organization.name} and becomes your default payment method. Card details are sent to the payment provider only.`)}</p>
      <div class="actions">
        <button type="button" ?disabled=${this.busy} @click=${() => this.#frame.send({ type: 'cp:cancel' })}>${msg('Cancel')}</button>
        <button type="submit" class="primary" ?disabled=${this.busy} aria-busy=${this.busy ? 'true' : 'false'}>${this.busy ? msg('Saving…') : msg('Save card')}</button>
      </div>
    </form>`;
  }
}

if (!customElements.get('cp-hosted-payment-method')) customElements.define('cp-hosted-payment-method', HostedPaymentMethod);

declare global {
  interface HTMLElementTagNameMap {
    'cp-hosted-payment-method': HostedPaymentMethod;
  }
}
