import { msg, str } from '@lit/localize';
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { requestCode, verifyCode } from '../api/auth.js';
import type { Connection } from '../api/connection.js';
import { ApiError } from '../api/errors.js';
import { normalizeEmail } from '../schemas/email.js';
import { SignedInEvent } from '../session-events.js';
import { formatSeconds } from '../i18n/format.js';
import { getLocale } from '../i18n/localize.js';
import type { PublicOrganization } from '../schemas/organization.js';
import { applyBranding } from '../styles/branding.js';
import { tokens } from '../styles/tokens.js';
import { alert, alertStyles } from '../ui/alert.js';
import { busyLabel, buttonStyles } from '../ui/button.js';
import { cardStyles } from '../ui/card.styles.js';
import { ConnectedElement } from '../ui/connected-element.js';
import { fieldStyles } from '../ui/field.styles.js';
import { skeleton, skeletonStyles } from '../ui/skeleton.js';
import { visuallyHidden } from '../ui/visually-hidden.styles.js';
import { returnUrl } from './page-url.js';
import { signInStyles } from './sign-in.styles.js';

/** After these the code cannot work any more: the customer needs a new one. */
const DEAD_CODE = new Set(['code_expired', 'code_exhausted', 'code_invalid']);
const CODE_LENGTH = 6;

type Busy = 'request' | 'verify' | 'resend';

/**
 * @summary Sign-in with a one-time code: the customer enters their email, receives a
 * 6-digit code (and a one-click link) by email, and enters the code.
 *
 * @event cp-signed-in - The customer signed in; the session is stored.
 * @csspart base - The card.
 * @csspart header - Logo, title and explanation.
 * @csspart logo - The organization's logo.
 * @csspart title - "Sign in to …".
 * @csspart form - The form of the current step.
 */
export class CustomerPortalSignIn extends ConnectedElement {
  static override styles = [tokens, buttonStyles, fieldStyles, cardStyles, alertStyles, skeletonStyles, visuallyHidden, signInStyles];

  @state() private step: 'email' | 'code' = 'email';
  @state() private email = '';
  @state() private code = '';
  @state() private emailError = '';
  @state() private codeError = '';
  @state() private busy?: Busy;
  /** The last failed call, shown in the alert region. */
  @state() private error?: ApiError;
  /** The code can no longer work (expired, too many tries, used): only a new code helps. */
  @state() private codeDead = false;
  @state() private resent = false;
  @state() private resendAt = 0;
  @state() private now = Date.now();
  @state() private organization?: PublicOrganization;
  @state() private organizationFailed = false;

  /** A notice above the form, such as why the customer has to sign in again. */
  @property() message = '';

  /** Seconds before "Resend code" works again. */
  @property({ type: Number, attribute: 'resend-cooldown' }) resendCooldown = 30;

  #timer?: ReturnType<typeof setTimeout>;
  /** The code last sent for checking, so a re-render never resubmits the same wrong code. */
  #lastTried = '';

  override connectedCallback(): void {
    super.connectedCallback();
    this.#tick();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#timer);
  }

  protected override connectionChanged(connection: Connection | undefined): void {
    connection?.organization().then(
      (organization) => {
        if (this.connection !== connection) return;
        this.organization = organization;
        applyBranding(this, organization.branding);
      },
      (error: unknown) => {
        this.organizationFailed = true;
        // Nothing on this page will work: say so now, not after the customer typed their email.
        if ((error as ApiError).code === 'origin_not_allowed') this.error = error as ApiError;
      },
    );
  }

  protected override updated(changed: PropertyValues): void {
    // Moving between steps: put the customer where they type next.
    if (changed.get('step') !== undefined) {
      (this.step === 'code' ? this.codeInput : this.emailInput)?.focus();
    }
  }

  private get emailInput(): HTMLInputElement | null {
    return this.renderRoot.querySelector('#email');
  }

  private get codeInput(): HTMLInputElement | null {
    return this.renderRoot.querySelector('#code');
  }

  private get secondsLeft(): number {
    return Math.max(0, Math.ceil((this.resendAt - this.now) / 1000));
  }

  /** Re-renders at each whole second of the resend countdown, and stops at zero. */
  #tick = (): void => {
    clearTimeout(this.#timer);
    this.now = Date.now();
    const left = this.resendAt - this.now;
    if (left > 0) this.#timer = setTimeout(this.#tick, left % 1000 || 1000);
  };

  private async onEmailSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    const typed = this.emailInput?.value ?? '';
    // The same rule as the server's.
    const email = normalizeEmail(typed);
    if (!email) {
      this.email = typed;
      this.emailError = typed.trim() ? msg('Enter a valid email address, like name@example.com.') : msg('Enter your email address.');
      this.emailInput?.focus();
      return;
    }
    this.email = email;
    this.emailError = '';
    if (await this.sendCode('request')) this.step = 'code';
  }

  /** Asks the server to email a code; false (with the error shown) when it did not. */
  private async sendCode(kind: Busy): Promise<boolean> {
    const connection = this.connection;
    if (!connection) return false;
    this.busy = kind;
    this.error = undefined;
    this.resent = false;
    try {
      await requestCode(connection.http, { organization: connection.org, email: this.email, return_url: returnUrl(), locale: getLocale() });
      this.code = '';
      this.codeError = '';
      this.codeDead = false;
      this.#lastTried = '';
      this.resendAt = Date.now() + this.resendCooldown * 1000;
      this.#tick();
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.code === 'validation_error' && this.step === 'email') {
        this.emailError = error.message;
        this.updateComplete.then(() => this.emailInput?.focus());
      } else {
        this.error = error as ApiError;
        // The busy button was disabled and lost focus: give it back to the field.
        this.updateComplete.then(() => (this.step === 'email' ? this.emailInput : this.codeInput)?.focus());
      }
      return false;
    } finally {
      this.busy = undefined;
    }
  }

  private async resend(): Promise<void> {
    if (this.busy || this.secondsLeft > 0) return;
    if (!(await this.sendCode('resend'))) return;
    this.resent = true;
    await this.updateComplete;
    this.codeInput?.focus();
  }

  private onCodeInput(event: InputEvent): void {
    const input = event.target as HTMLInputElement;
    this.setCode(input, input.value);
  }

  /** A pasted code may come with spaces or dashes ("123 456", "123-456") or words around it. */
  private onCodePaste(event: ClipboardEvent): void {
    const input = event.target as HTMLInputElement;
    const pasted = event.clipboardData?.getData('text') ?? '';
    event.preventDefault();
    const start = input.selectionStart ?? input.value.length;
    const end = input.selectionEnd ?? start;
    const digits = pasted.replace(/\D/g, '');
    // A whole code replaces what is there; a few digits go where the cursor is.
    this.setCode(input, digits.length >= CODE_LENGTH ? digits : input.value.slice(0, start) + digits + input.value.slice(end));
  }

  private setCode(input: HTMLInputElement, value: string): void {
    const code = value.replace(/\D/g, '').slice(0, CODE_LENGTH);
    if (input.value !== code) input.value = code;
    this.code = code;
    this.codeError = '';
    if (code.length === CODE_LENGTH && code !== this.#lastTried) void this.verify();
  }

  private async verify(event?: Event): Promise<void> {
    event?.preventDefault();
    const connection = this.connection;
    if (!connection || this.busy || this.codeDead) return;
    if (this.code.length !== CODE_LENGTH) {
      this.codeError = msg('Enter the 6-digit code from the email.');
      this.codeInput?.focus();
      return;
    }
    this.#lastTried = this.code;
    this.busy = 'verify';
    this.error = undefined;
    this.resent = false;
    try {
      const session = await verifyCode(connection.http, { organization: connection.org, email: this.email, code: this.code });
      connection.session.signIn(session);
      this.emit(new SignedInEvent());
    } catch (error) {
      this.error = error as ApiError;
      this.codeDead = DEAD_CODE.has(this.error.code);
      this.busy = undefined;
      await this.updateComplete;
      if (this.codeDead) {
        this.renderRoot.querySelector<HTMLButtonElement>('.alert button')?.focus();
      } else {
        this.codeInput?.focus();
        this.codeInput?.select();
      }
    } finally {
      this.busy = undefined;
    }
  }

  private useDifferentEmail(): void {
    this.step = 'email';
    this.error = undefined;
    this.resent = false;
    this.codeDead = false;
    this.resendAt = 0;
  }

  private renderResendButton(className: string): TemplateResult {
    const left = this.secondsLeft;
    const busy = this.busy === 'resend';
    return html`<button
      type="button"
      class="button ${className}"
      ?disabled=${!!this.busy || left > 0}
      aria-busy=${busy ? 'true' : 'false'}
      @click=${this.resend}
    >
      ${left > 0 ? msg(str`Resend code in ${formatSeconds(left)}`) : busyLabel(busy, msg('Resend code'), msg('Sending a new code…'))}
    </button>`;
  }

  private renderTitle(): TemplateResult | string {
    if (this.organization) return msg(str`Sign in to ${this.organization.name}`);
    if (this.organizationFailed || !this.connection) return msg('Sign in');
    return html`<span class="visually-hidden">${msg('Sign in')}</span>${skeleton('14em', '1.1em')}`;
  }

  private renderEmailStep(): TemplateResult {
    const busy = this.busy === 'request';
    return html`<form class="form" part="form" novalidate @submit=${this.onEmailSubmit}>
      <div class="field">
        <label class="label" for="email">${msg('Email address')}</label>
        <input
          id="email"
          class="input"
          name="email"
          type="email"
          autocomplete="email"
          autocapitalize="off"
          spellcheck="false"
          required
          .value=${this.email}
          aria-invalid=${this.emailError ? 'true' : 'false'}
          aria-describedby="email-error"
        />
        <p id="email-error" class="field-error">${this.emailError}</p>
      </div>
      <button class="button button--primary button--block" type="submit" ?disabled=${busy} aria-busy=${busy ? 'true' : 'false'}>
        ${busyLabel(busy, msg('Email me a code'), msg('Sending code…'))}
      </button>
    </form>`;
  }

  private renderCodeStep(): TemplateResult {
    const busy = this.busy === 'verify';
    const invalid = !!this.codeError || this.error?.code === 'code_incorrect';
    return html`<form class="form" part="form" novalidate @submit=${this.verify}>
        <div class="field">
          <label class="label" for="code">${msg('Sign-in code')}</label>
          <input
            id="code"
            class="input input--code"
            name="code"
            inputmode="numeric"
            autocomplete="one-time-code"
            maxlength=${CODE_LENGTH}
            spellcheck="false"
            .value=${this.code}
            ?disabled=${this.codeDead}
            aria-invalid=${invalid ? 'true' : 'false'}
            aria-describedby="code-error code-hint"
            @input=${this.onCodeInput}
            @paste=${this.onCodePaste}
          />
          <p id="code-error" class="field-error">${this.codeError}</p>
          <p id="code-hint" class="hint">${msg('The code expires in 15 minutes. You can also use the link in the email.')}</p>
        </div>
        <button class="button button--primary button--block" type="submit" ?disabled=${busy || this.codeDead} aria-busy=${busy ? 'true' : 'false'}>
          ${busyLabel(busy, msg('Sign in'), msg('Signing in…'))}
        </button>
      </form>
      <div class="actions">
        ${this.renderResendButton('button--ghost button--small')}
        <button type="button" class="button button--ghost button--small" ?disabled=${!!this.busy} @click=${this.useDifferentEmail}>
          ${msg('Use a different email')}
        </button>
      </div>`;
  }

  private renderError(): TemplateResult | typeof nothing {
    const error = this.error;
    if (!error) return nothing;
    // A dead code needs a new one: offer it right here.
    return alert('danger', error.message, DEAD_CODE.has(error.code) ? this.renderResendButton('button--primary button--small') : undefined);
  }

  override render(): TemplateResult {
    if (this.session.status === 'signed-in') {
      return html`<div class="card" part="base"><div role="status">${alert('success', msg('You are signed in.'))}</div></div>`;
    }
    const logo = this.organization?.branding.logo_url;
    const codeStep = this.step === 'code';
    return html`<div class="card" part="base">
      <div class="header" part="header">
        ${logo ? html`<img class="logo" part="logo" src=${logo} alt="" />` : nothing}
        <h2 class="title" part="title">${this.renderTitle()}</h2>
        <p class="subtitle">
          ${
            codeStep
              ? msg(html`We sent a 6-digit code to <strong>${this.email}</strong>. If it isn't in your inbox, check your spam folder.`)
              : msg('Enter your email and we will send you a code to sign in.')
          }
        </p>
      </div>
      <div class="messages" role="alert">${this.renderError()}</div>
      <div class="messages" role="status">${
        this.resent ? alert('success', msg(str`We sent a new code to ${this.email}.`)) : !codeStep && this.message ? alert('warning', this.message) : nothing
      }</div>
      ${codeStep ? this.renderCodeStep() : this.renderEmailStep()}
    </div>`;
  }
}

// Loaded on demand (src/views/registry.ts `lazy.signIn`): only a signed-out page needs it.
CustomerPortalSignIn.define('customer-portal-sign-in');

declare global {
  interface HTMLElementTagNameMap {
    'customer-portal-sign-in': CustomerPortalSignIn;
  }
}
