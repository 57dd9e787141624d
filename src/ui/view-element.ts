import { msg } from '@lit/localize';
import { initialState, Task } from '@lit/task';
import { html, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { exchangeToken } from '../api/auth.js';
import type { Connection } from '../api/connection.js';
import type { ApiError } from '../api/errors.js';
import type { BillingStatus, Http } from '../api/http.js';
import type { SessionState } from '../api/session.js';
import { NavigateEvent } from '../events.js';
import { takeTokenFromUrl, type UrlToken } from '../portal/page-url.js';
import { SignedInEvent } from '../session-events.js';
import type { SectionId } from '../schemas/organization.js';
import { tokens } from '../styles/tokens.js';
import { viewStyles } from '../views/billing/view.styles.js';
import { ensureDefined, lazy } from '../views/lazy.js';
import './toast.js';
import { alert, alertStyles } from './alert.js';
import { badgeStyles } from './badge.js';
import { buttonStyles } from './button.js';
import { cardStyles } from './card.styles.js';
import { fieldStyles } from './field.styles.js';
import { skeleton, skeletonStyles } from './skeleton.js';
import { visuallyHidden } from './visually-hidden.styles.js';
import { ConnectedElement } from './connected-element.js';

/** What the next view should do as soon as it shows (set by the past-due banner). */
export const intent = { updatePaymentMethod: false };

/**
 * A section of the portal (overview, subscriptions, …): a connected element that shows the
 * past-due banner while a payment has failed (from the `CP-Billing-Status` header of every
 * answer, so it costs no request), the sign-in when it is used on its own and nobody is
 * signed in, and can ask the portal to show another section.
 *
 * @event cp-signed-in - On its own: the customer signed in with the view's sign-in form.
 * @csspart base - The view.
 * @csspart heading - The view's title.
 * @csspart past-due - The banner shown while a payment has failed.
 * @csspart alert - Error and success messages.
 */
export class ViewElement extends ConnectedElement {
  /** What every view's markup uses: tokens, buttons, fields, cards, alerts, badges, skeletons, the view frame. */
  static override styles = [tokens, buttonStyles, fieldStyles, cardStyles, alertStyles, badgeStyles, skeletonStyles, visuallyHidden, viewStyles];

  /** This view's section id, so the banner does not link to the view it is on. */
  protected section?: SectionId;

  /** Inside another view (settings holds the payment methods): the content only, without heading and banner. */
  @property({ type: Boolean }) embedded = false;

  /** Set by `<customer-portal>` from its address: one thing to open in this view (an order id). */
  @property({ attribute: false }) detail?: string;

  @state() protected pastDue = false;
  /** Trading a link's token for a session (on its own only). */
  @state() private exchanging = false;
  /** Why a link did not sign the customer in. */
  @state() private linkError = '';
  /** A payment waits for the customer's authentication: the banner offers "Confirm payment". */
  @state() protected requiresAction = false;
  /** The confirm dialog is open (from the banner). */
  @state() private confirming = false;
  #tasks: Task<readonly unknown[], unknown>[] = [];
  #announcement = '';
  /** Counts announcements, so the same words said again show their toast again. */
  #said = 0;
  /**
   * What the last action did ("Name saved.", "Card removed."): read out by screen readers (the
   * view's status region) and shown as a toast. Setting it, even to the same words, says it again.
   */
  protected get announcement(): string {
    return this.#announcement;
  }
  protected set announcement(text: string) {
    const old = this.#announcement;
    this.#announcement = text;
    if (text) this.#said += 1;
    this.requestUpdate('announcement', old);
  }
  /** The view's data as re-fetched after an action (newer than its task's), until the customer changes. */
  @state() protected fresh?: unknown;

  #billing?: BillingStatus;
  #onBilling = (): void => {
    this.pastDue = Boolean(this.#billing?.pastDue);
    this.requiresAction = Boolean(this.#billing?.requiresAction);
  };

  protected override connectionChanged(connection: Connection | undefined): void {
    super.connectionChanged(connection);
    // On its own, the view trades a link's token like <customer-portal> does: a pre-authenticated
    // link's ?cp_token=, a seat invitation's ?cp_seat= (the first element to look takes it).
    if (connection && !this.provided) {
      const token = takeTokenFromUrl();
      if (token) void this.#exchange(connection, token);
    }
    this.#billing?.removeEventListener('change', this.#onBilling);
    this.#billing = connection?.http.billing;
    this.#billing?.addEventListener('change', this.#onBilling);
    this.#onBilling();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#billing?.removeEventListener('change', this.#onBilling);
  }

  async #exchange(connection: Connection, { token, seat }: UrlToken): Promise<void> {
    this.exchanging = true;
    this.linkError = '';
    try {
      connection.session.signIn(await exchangeToken(connection.http, token, seat));
      this.emit(new SignedInEvent());
    } catch (error) {
      this.linkError = (error as ApiError).message;
    } finally {
      this.exchanging = false;
    }
  }

  protected override sessionChanged(previous: SessionState): void {
    super.sessionChanged(previous);
    // Another customer, or none: the last answer's status was not about them.
    if (this.session.status !== 'signed-in' || previous.status !== 'signed-in' || previous.token !== this.session.token) {
      if (this.#billing) {
        this.#billing.pastDue = false;
        this.#billing.seatOnly = undefined;
        this.#billing.requiresAction = false;
      }
      this.pastDue = false;
      this.requiresAction = false;
      this.fresh = undefined;
    }
  }

  /** The view's data: fetched with the session's token, again whenever the customer changes. */
  protected load<T>(fetch: (http: Http, signal: AbortSignal) => Promise<T>): Task<readonly unknown[], T> {
    const task = new Task(this, {
      task: ([http, token], { signal }) => (http && token ? fetch(http as Http, signal) : initialState),
      args: () => [this.connection?.http, this.session.status === 'signed-in' ? this.session.token : undefined],
    });
    this.#tasks.push(task as Task<readonly unknown[], unknown>);
    return task;
  }

  /** The payment was confirmed: the banner goes, and the view shows what changed (active, paid). */
  private async onConfirmed(): Promise<void> {
    this.announcement = msg('Payment confirmed.');
    this.fresh = undefined;
    // The next answer's CP-Billing-Status says whether anything else is still unpaid.
    if (this.#billing) {
      this.#billing.requiresAction = false;
      this.#billing.pastDue = false;
      this.#billing.dispatchEvent(new Event('change'));
    }
    for (const task of this.#tasks) void task.run();
  }

  /** Opens the hosted confirm page for the oldest payment waiting for the customer. */
  private async confirmPayment(): Promise<void> {
    await import('../views/billing/confirm-payment-dialog.js');
    this.confirming = true;
  }

  /** Fetches the view's data again after an action, keeping what is shown until it arrives. */
  protected async refetch(fetch: (http: Http) => Promise<unknown>): Promise<void> {
    const http = this.connection?.http;
    if (http) this.fresh = await fetch(http).catch(() => this.fresh);
  }

  /** Inside the full `<customer-portal>` (not one `view`), which switches sections on request. */
  protected canNavigate(): boolean {
    const host = (this.getRootNode() as ShadowRoot).host as (HTMLElement & { view?: string }) | undefined;
    return host?.localName === 'customer-portal' && !host.view;
  }

  /** Returns whether the portal showed the section. */
  protected navigate(view: SectionId, detail?: string): boolean {
    return this.emit(new NavigateEvent(detail ? { view, detail } : { view })).defaultPrevented;
  }

  /** The banner's action: settings, with the card form open at once. */
  private updatePaymentMethod(): void {
    intent.updatePaymentMethod = true;
    intent.updatePaymentMethod = this.navigate('settings', 'payment-method');
  }

  /**
   * The past-due banner, leading to the payment methods in settings; or, when a payment waits
   * for the customer's authentication, offering "Confirm payment" (the hosted confirm page).
   */
  protected renderPastDue(): TemplateResult {
    // The dialog stays in one place of the template, so it is kept (showing "confirmed") while
    // the banner goes.
    const dialog = this.confirming
      ? html`<customer-portal-confirm-payment-dialog
          open
          .http=${this.connection?.http}
          @confirmed=${this.onConfirmed}
          @close=${() => (this.confirming = false)}
        ></customer-portal-confirm-payment-dialog>`
      : nothing;
    return html`${this.renderBanner()}${dialog}`;
  }

  private renderBanner(): TemplateResult | typeof nothing {
    if (!this.pastDue || this.session.status !== 'signed-in') return nothing;
    if (this.requiresAction) {
      return html`<div class="past-due" part="past-due">
        ${alert(
          'warning',
          msg('Your bank asks you to confirm a payment. Confirm it to keep your subscription running.'),
          html`<button type="button" class="button button--primary button--small" @click=${this.confirmPayment}>${msg('Confirm payment')}</button>`,
        )}
      </div>`;
    }
    const action =
      this.section !== 'settings' && this.canNavigate()
        ? html`<button type="button" class="button button--secondary button--small" @click=${this.updatePaymentMethod}>
            ${msg('Update payment method')}
          </button>`
        : undefined;
    return html`<div class="past-due" part="past-due">
      ${alert('danger', msg('Your last payment failed. Update your payment method to keep your subscription: we retry the charge automatically.'), action)}
    </div>`;
  }

  /**
   * The view: its heading, the past-due banner, and its data as `task` has it (a skeleton
   * while loading, the error with "Try again", then `complete`).
   */
  protected renderView<T>(
    title: string,
    lede: string,
    task: Task<readonly unknown[], T>,
    loading: () => TemplateResult,
    complete: (value: T) => unknown,
  ): unknown {
    if (this.session.status !== 'signed-in') return this.renderSignedOut();
    const body = html`<div role="status" class="visually-hidden">${this.announcement}</div>
      ${
        // Loaded with the first announcement (src/views/lazy.ts); the status region above says it at once.
        this.#said ? html`<customer-portal-toast .message=${this.announcement} .serial=${this.#said}></customer-portal-toast>` : nothing
      }
      ${task.render({
        pending: loading,
        error: (error) =>
          alert(
            'danger',
            (error as ApiError).message,
            html`<button type="button" class="button button--secondary button--small" @click=${() => task.run()}>${msg('Try again')}</button>`,
          ),
        complete: (value) => (value ? complete(value) : nothing),
      })}`;
    if (this.embedded) return body;
    return html`<section class="base" part="base" aria-labelledby="heading">
      ${this.renderPastDue()}
      <header class="intro">
        <h2 id="heading" class="heading" part="heading">${title}</h2>
        <p class="lede">${lede}</p>
      </header>
      ${body}
    </section>`;
  }

  /** On its own (no portal around it) and signed out, the view shows the sign-in. */
  protected renderSignedOut(): TemplateResult | typeof nothing {
    if (this.provided) return nothing;
    if (this.exchanging) {
      return html`<p class="signing-in" role="status"><span class="spinner" aria-hidden="true"></span>${msg('Signing you in…')}</p>`;
    }
    if (!ensureDefined('customer-portal-sign-in', lazy.signIn, this))
      return html`<div aria-busy="true">${skeleton('60%', '1.5em')} ${skeleton('100%', '6em')}</div>`;
    return html`<customer-portal-sign-in
      server-url=${this.serverUrl}
      org=${this.org}
      .message=${this.linkError || (this.session.status === 'expired' ? this.session.message : '')}
    ></customer-portal-sign-in>`;
  }
}
