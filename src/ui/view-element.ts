import { msg } from '@lit/localize';
import type { Task } from '@lit/task';
import { html, nothing, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import type { Connection } from '../api/connection.js';
import type { ApiError } from '../api/errors.js';
import type { BillingStatus } from '../api/http.js';
import type { SessionState } from '../api/session.js';
import { NavigateEvent } from '../events.js';
import type { SectionId } from '../schemas/organization.js';
import { findView } from '../views/registry.js';
import { alert } from './alert.js';
import { ConnectedElement } from './connected-element.js';

/**
 * A section of the portal (overview, subscriptions, …): a connected element that shows the
 * past-due banner while a payment has failed (from the `CP-Billing-Status` header of every
 * answer, so it costs no request), the sign-in when it is used on its own and nobody is
 * signed in, and can ask the portal to show another section.
 */
export class ViewElement extends ConnectedElement {
  /** This view's section id, so the banner does not link to the view it is on. */
  protected section?: SectionId;

  @state() protected pastDue = false;
  /** Read out by screen readers: "Name saved.", "Invoice downloaded." */
  @state() protected announcement = '';

  #billing?: BillingStatus;
  #onBilling = (): void => {
    this.pastDue = Boolean(this.#billing?.pastDue);
  };

  protected override connectionChanged(connection: Connection | undefined): void {
    super.connectionChanged(connection);
    this.#billing?.removeEventListener('change', this.#onBilling);
    this.#billing = connection?.http.billing;
    this.#billing?.addEventListener('change', this.#onBilling);
    this.#onBilling();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#billing?.removeEventListener('change', this.#onBilling);
  }

  protected override sessionChanged(previous: SessionState): void {
    super.sessionChanged(previous);
    // Another customer, or none: the last answer's status was not about them.
    if (this.session.status !== 'signed-in' || previous.status !== 'signed-in' || previous.token !== this.session.token) {
      if (this.#billing) this.#billing.pastDue = false;
      this.pastDue = false;
    }
  }

  /** Inside the full `<customer-portal>` (not one `view`), which switches sections on request. */
  protected canNavigate(): boolean {
    const host = (this.getRootNode() as ShadowRoot).host as (HTMLElement & { view?: string }) | undefined;
    return host?.localName === 'customer-portal' && !host.view;
  }

  protected navigate(view: SectionId): void {
    this.emit(new NavigateEvent({ view }));
  }

  /** The past-due banner, leading to where the payment method is updated. */
  protected renderPastDue(): TemplateResult | typeof nothing {
    if (!this.pastDue || this.session.status !== 'signed-in') return nothing;
    // The payment-method screen lives in settings once that view exists; until then the
    // subscriptions view explains which subscription is past due.
    const target: SectionId = findView('settings') ? 'settings' : 'subscriptions';
    const action =
      target !== this.section && this.canNavigate()
        ? html`<button type="button" class="button button--secondary button--small" @click=${() => this.navigate(target)}>
            ${target === 'settings' ? msg('Update payment method') : msg('Review subscriptions')}
          </button>`
        : undefined;
    return html`<div class="past-due" part="past-due">
      ${alert(
        'danger',
        msg('Your last payment failed. Update your payment method to keep your subscription: we retry the charge automatically.'),
        action,
      )}
    </div>`;
  }

  /**
   * The view: its heading, the past-due banner, and its data as `task` has it (a skeleton
   * while loading, the error with "Try again", then `complete`).
   */
  protected renderView<T>(title: string, lede: string, task: Task<readonly unknown[], T>, loading: () => TemplateResult, complete: (value: T) => unknown): unknown {
    if (this.session.status !== 'signed-in') return this.renderSignedOut();
    return html`<section class="base" part="base" aria-labelledby="heading">
      ${this.renderPastDue()}
      <header class="intro">
        <h2 id="heading" class="heading">${title}</h2>
        <p class="lede">${lede}</p>
      </header>
      <div role="status" class="visually-hidden">${this.announcement}</div>
      ${task.render({
        pending: loading,
        error: (error) =>
          alert(
            'danger',
            (error as ApiError).message,
            html`<button type="button" class="button button--secondary button--small" @click=${() => task.run()}>${msg('Try again')}</button>`,
          ),
        complete: (value) => (value ? complete(value) : nothing),
      })}
    </section>`;
  }

  /** On its own (no portal around it) and signed out, the view shows the sign-in. */
  protected renderSignedOut(): TemplateResult | typeof nothing {
    if (this.provided) return nothing;
    return html`<customer-portal-sign-in
      server-url=${this.serverUrl}
      org=${this.org}
      .message=${this.session.status === 'expired' ? this.session.message : ''}
    ></customer-portal-sign-in>`;
  }
}
