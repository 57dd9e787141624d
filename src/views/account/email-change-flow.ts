import { msg, str } from '@lit/localize';
import { html, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { requestEmailChange, verifyEmailChange } from '../../api/me.js';
import { normalizeEmail } from '../../schemas/email.js';
import type { Me } from '../../schemas/customer.js';
import { alert } from '../../ui/alert.js';
import { busyLabel } from '../../ui/button.js';
import { doneMark, FlowElement, flowStyles } from '../billing/flow.js';

type Step = 'email' | 'code' | 'done';

/**
 * @summary Changing the account's email address: the new address, then the 6-digit code the
 * server sent to it (the change happens only once that address is confirmed), then done.
 *
 * @event close - The dialog closed.
 * @internal Used inside the views only; not part of the public API.
 */
export class EmailChangeFlow extends FlowElement<Step> {
  // The done step's check mark is styled by flowStyles, as in the other dialogs (without them
  // it drew at the SVG's default size, 512 × 512 and black).
  static override styles = [...FlowElement.styles, flowStyles];

  /** The current address. */
  @property() email = '';
  /** Told about the customer once the new address is confirmed. */
  @property({ attribute: false }) onChanged?: (me: Me) => void;

  @state() private next = '';
  @state() private code = '';
  /** What is wrong with the address as typed, said before anything is sent. */
  @state() private emailError = '';

  protected override firstStep(): Step {
    return 'email';
  }

  protected override reset(): void {
    super.reset();
    this.next = '';
    this.code = '';
    this.emailError = '';
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    if (this.step === 'email') {
      // The server's own rule, checked here first: "not an email" never leaves the page.
      const typed = this.next.trim();
      this.emailError = normalizeEmail(typed) ? '' : typed ? msg('Enter a valid email address, like name@example.com.') : msg('Enter your email address.');
      if (this.emailError) {
        this.renderRoot.querySelector<HTMLInputElement>('#value')?.focus();
        return;
      }
      const sent = await this.attempt(() => requestEmailChange(this.http!, typed).then(() => true));
      if (sent) await this.goTo('code');
      return;
    }
    const me = await this.attempt(() => verifyEmailChange(this.http!, this.code.trim()));
    if (!me) return;
    this.onChanged?.(me);
    await this.goTo('done');
  }

  private renderStep(): TemplateResult {
    if (this.step === 'done') {
      return html`<div class="done" role="status">
        ${doneMark}
        <p class="done__title">${msg('Email address changed')}</p>
        <p>${msg(str`We’ll use ${this.next.trim()} from now on, for sign-in and for your receipts.`)}</p>
      </div>`;
    }
    const email = this.step === 'email';
    return html`<p class="muted">
        ${
          email
            ? msg(str`Your email is ${this.email}. We’ll send a code to the new address to confirm it’s yours.`)
            : msg(str`Enter the 6-digit code we sent to ${this.next.trim()}. It expires in 15 minutes.`)
        }
      </p>
      <div class="field">
        <label class="label" for="value">${email ? msg('New email address') : msg('Confirmation code')}</label>
        <input
          id="value"
          class="input"
          required
          data-autofocus
          type=${email ? 'email' : 'text'}
          autocomplete=${email ? 'email' : 'one-time-code'}
          inputmode=${email ? 'email' : 'numeric'}
          maxlength=${email ? 254 : 6}
          .value=${email ? this.next : this.code}
          ?disabled=${this.busy}
          aria-invalid=${email && this.emailError ? 'true' : 'false'}
          aria-describedby="value-error"
          @input=${(e: Event) => {
            const value = (e.target as HTMLInputElement).value;
            if (email) {
              this.next = value;
              this.emailError = '';
            } else this.code = value;
            this.key.reset();
          }}
        />
        <p class="field-error" id="value-error">${email ? this.emailError : ''}</p>
      </div>`;
  }

  override render(): TemplateResult {
    const busy = this.busy;
    const done = this.step === 'done';
    return html`<customer-portal-dialog label=${msg('Change email address')} ?open=${this.open} ?busy=${busy} @close=${this.onDialogClose}>
      <form id="email-change" class="stack" novalidate @submit=${this.submit}>
        ${this.renderStep()}
        <div class="errors" role="alert">${this.error ? alert('danger', this.error) : nothing}</div>
      </form>
      ${
        this.step === 'code'
          ? html`<button slot="footer" type="button" class="button button--ghost" ?disabled=${busy} @click=${() => this.goTo('email')}>${msg('Use another address')}</button>`
          : nothing
      }
      <button slot="footer" type="button" class="button button--secondary" ?disabled=${busy} @click=${() => this.close()}>
        ${done ? msg('Done') : msg('Cancel')}
      </button>
      ${
        done
          ? nothing
          : html`<button slot="footer" type="submit" form="email-change" class="button button--primary" ?disabled=${busy} aria-busy=${busy ? 'true' : 'false'}>
            ${this.step === 'email' ? busyLabel(busy, msg('Send code'), msg('Sending…')) : busyLabel(busy, msg('Confirm'), msg('Checking…'))}
          </button>`
      }
    </customer-portal-dialog>`;
  }
}

EmailChangeFlow.define('customer-portal-email-change-flow');

declare global {
  interface HTMLElementTagNameMap {
    'customer-portal-email-change-flow': EmailChangeFlow;
  }
}
