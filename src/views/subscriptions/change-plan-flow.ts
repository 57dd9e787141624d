import { msg, str } from '@lit/localize';
import { css, html, nothing, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import type { ApiError } from '../../api/errors.js';
import { changeSubscription, fetchSubscription, previewChange } from '../../api/subscriptions.js';
import { SubscriptionChangedEvent } from '../../events.js';
import { formatPrice, formatShortDate } from '../../i18n/money.js';
import type { ChangePreview, Plan, Price, Subscription } from '../../schemas/billing.js';
import { alert } from '../../ui/alert.js';
import { badge } from '../../ui/badge.js';
import { busyLabel } from '../../ui/button.js';
import { skeleton } from '../../ui/skeleton.js';
import { confirmLabel, renderChangePreview } from './change-preview.js';
import { doneMark, FlowElement, flowStyles } from '../billing/flow.js';
import { SubscriptionFlow } from './subscription-flow.js';

type Step = 'choose' | 'review' | 'done';

/** Yearly saving of a yearly price against the same product's monthly one, in percent. */
function yearlySaving(price: Price, plan: Plan): number {
  if (price.interval !== 'year' || price.interval_count !== 1) return 0;
  const monthly = plan.prices.find((p) => p.interval === 'month' && p.interval_count === 1 && p.model === price.model);
  if (!monthly) return 0;
  return Math.round((1 - price.unit_amount / (monthly.unit_amount * 12)) * 100);
}

/**
 * @summary Changing plan: the plans side by side (current one marked), the server's proration
 * preview (due now, credit, when it takes effect), confirmation, and the result. A declined
 * card keeps the dialog open with the bank's message.
 *
 * @event cp-subscription-changed - The plan changed (or a change at renewal was scheduled).
 * @event close - The dialog closed.
 * @internal Used inside the views only; not part of the public API.
 */
export class ChangePlanFlow extends SubscriptionFlow<Step> {
  static override styles = [
    ...FlowElement.styles,
    flowStyles,
    css`
      .plans {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(150px, 1fr));
        gap: calc(var(--_space) * 1.5);
      }
      .plan {
        grid-template-columns: 1fr auto;
        grid-template-rows: auto auto 1fr;
        align-content: start;
        min-height: 128px;
        padding: calc(var(--_space) * 2);
      }
      .plan input {
        grid-row: 1;
        grid-column: 2;
      }
      .plan .choice__title {
        grid-row: 1;
        grid-column: 1;
      }
      .plan__price {
        grid-column: 1 / -1;
        font-size: 1.25rem;
        font-weight: 650;
        letter-spacing: -0.01em;
        font-variant-numeric: tabular-nums;
      }
      .plan .choice__text {
        grid-column: 1 / -1;
      }
      .plan__tags {
        display: flex;
        flex-wrap: wrap;
        gap: 6px;
        grid-column: 1 / -1;
        align-self: end;
        margin-top: 6px;
      }
    `,
  ];

  @state() private plans?: Plan[];
  /** The subscription `plans` belong to. */
  #plansFor?: string;
  @state() private loadError = '';
  @state() private selected?: string;
  @state() private preview?: ChangePreview;
  @state() private previewing = false;

  protected override firstStep(): Step {
    return 'choose';
  }

  protected override reset(): void {
    super.reset();
    this.selected = undefined;
    this.preview = undefined;
    // Only when opened: the flow is rendered (closed) with every subscription shown in detail.
    if (this.open && (!this.plans || this.#plansFor !== this.subscription?.id)) void this.loadPlans();
  }

  private async loadPlans(): Promise<void> {
    const sub = this.subscription;
    if (!sub || !this.http) return;
    this.loadError = '';
    this.plans = undefined;
    try {
      const detail = await fetchSubscription(this.http, sub.id);
      this.plans = detail.plans;
      this.#plansFor = sub.id;
      await this.updateComplete;
      this.dialog?.focusFirst();
    } catch (error) {
      this.loadError = (error as ApiError).message;
    }
  }

  private async review(sub: Subscription): Promise<void> {
    const priceId = this.selected;
    if (!priceId || !this.http) return;
    this.key.reset();
    this.preview = undefined;
    this.previewing = true;
    await this.goTo('review');
    try {
      this.preview = await previewChange(this.http, sub.id, { price_id: priceId });
    } catch (error) {
      this.error = (error as ApiError).message;
    } finally {
      this.previewing = false;
    }
    await this.updateComplete;
    this.dialog?.focusFirst();
  }

  /** The order of a change whose payment the bank wants the customer to confirm (3-D Secure). */
  @state() private confirmingOrder = '';
  /** The payment was confirmed: the dialog shows it a moment, then closes by itself. */
  #confirmed = false;

  /** The bank wants the customer: the change waits in flight while they confirm it in the hosted page. */
  protected override async recover(error: unknown): Promise<boolean> {
    const e = error as ApiError;
    if (e.code === 'authentication_required') {
      const orderId = (e.details as { order_id?: string } | undefined)?.order_id;
      // Without the order there is nothing to confirm here: the message says what to do.
      if (!orderId) return super.recover(error);
      await import('../billing/confirm-payment-dialog.js');
      this.#confirmed = false;
      this.confirmingOrder = String(orderId);
      return true;
    }
    return super.recover(error);
  }

  /** Confirmed: the change took effect; the flow shows it as done. */
  private async onPaymentConfirmed(sub: Subscription, preview: ChangePreview, orderId: string): Promise<void> {
    // The confirmation dialog stays until it closes itself, so its "confirmed" is seen.
    this.#confirmed = true;
    const fresh = await fetchSubscription(this.http!, sub.id).catch(() => undefined);
    if (fresh) this.onSubscription?.(fresh);
    this.emit(
      new SubscriptionChangedEvent({
        subscriptionId: sub.id,
        change: preview.kind === 'downgrade' ? 'downgrade' : 'upgrade',
        priceId: preview.price_id,
        seats: preview.seats,
        effectiveAt: preview.effective_at,
        orderId,
      }),
    );
    await this.goTo('done');
  }

  private onConfirmClosed(): void {
    if (!this.confirmingOrder) return;
    this.confirmingOrder = '';
    if (this.#confirmed) return;
    this.error = msg('Your plan was not changed yet: the payment needs your confirmation. Confirm it to finish, or it is undone in a few minutes.');
  }

  private async confirm(sub: Subscription, preview: ChangePreview): Promise<void> {
    const result = await this.attempt((key) =>
      changeSubscription(this.http!, sub, { price_id: preview.price_id, proration_date: preview.proration_date }, key),
    );
    if (!result) return;
    this.onSubscription?.(result.subscription);
    this.emit(
      new SubscriptionChangedEvent({
        subscriptionId: sub.id,
        change: result.change.kind === 'downgrade' ? 'downgrade' : 'upgrade',
        priceId: result.change.price_id,
        seats: result.change.seats,
        effectiveAt: result.change.effective_at,
        orderId: result.order_id,
      }),
    );
    await this.goTo('done');
  }

  private renderPlans(sub: Subscription): TemplateResult {
    if (this.loadError) {
      return alert(
        'danger',
        this.loadError,
        html`<button type="button" class="button button--secondary button--small" @click=${() => this.loadPlans()}>${msg('Try again')}</button>`,
      );
    }
    if (!this.plans) {
      return html`<div class="plans" aria-busy="true">
        <p class="visually-hidden" role="status">${msg('Loading plans…')}</p>
        ${[1, 2, 3].map(() => html`<div class="choice plan">${skeleton('60%')} ${skeleton('80%', '1.5em')} ${skeleton('100%', '2.5em')}</div>`)}
      </div>`;
    }
    const options = this.plans.flatMap((plan) => plan.prices.map((price) => ({ plan, price })));
    if (options.length <= 1) return html`<p class="muted">${msg('There are no other plans to switch to right now.')}</p>`;
    return html`<fieldset>
      <legend class="visually-hidden">${msg('Plans')}</legend>
      <div class="plans">
        ${options.map(({ plan, price }) => {
          const current = price.id === sub.price.id;
          const saving = yearlySaving(price, plan);
          return html`<label class="choice plan">
            <span class="choice__title">${plan.name}</span>
            <input
              type="radio"
              name="plan"
              .checked=${this.selected === price.id}
              ?disabled=${current}
              @change=${() => (this.selected = price.id)}
            />
            <span class="plan__price"><bdi>${formatPrice(price.unit_amount, price.currency, price.interval, price.interval_count, price.model === 'per_seat')}</bdi></span>
            ${plan.description ? html`<span class="choice__text"><bdi>${plan.description}</bdi></span>` : nothing}
            <span class="plan__tags">
              ${current ? badge('info', msg('Current plan')) : nothing} ${saving > 0 ? badge('success', msg(str`Save ${saving}%`)) : nothing}
            </span>
          </label>`;
        })}
      </div>
    </fieldset>`;
  }

  private renderReview(): TemplateResult {
    const preview = this.preview;
    if (this.previewing || !preview) {
      return this.previewing
        ? html`<div class="placeholder" aria-busy="true">
            <p class="visually-hidden" role="status">${msg('Calculating the price…')}</p>
            ${skeleton('100%', '5em')} ${skeleton('100%', '7em')}
          </div>`
        : html``;
    }
    const newPrice = formatPrice(preview.new_amount, preview.currency, preview.interval, preview.interval_count);
    // Same product, other billing period (monthly to yearly): neither word fits.
    const title =
      preview.product.id === this.subscription?.product.id
        ? msg(str`Switch to ${preview.product.name} at ${newPrice}`)
        : preview.kind === 'downgrade'
          ? msg(str`Downgrade to ${preview.product.name}`)
          : msg(str`Upgrade to ${preview.product.name}`);
    const perSeat = this.plans?.some((p) => p.prices.some((pr) => pr.id === preview.price_id && pr.model === 'per_seat')) ?? false;
    return html`<div class="stack">
      <p class="section-title">${title}</p>
      ${renderChangePreview(preview, perSeat)}
    </div>`;
  }

  private renderDone(): TemplateResult {
    const preview = this.preview!;
    return html`<div class="done" role="status">
      ${doneMark}
      <p class="done__title">${preview.timing === 'now' ? msg(str`You’re now on ${preview.product.name}`) : msg('Change scheduled')}</p>
      <p>
        ${
          preview.timing === 'now'
            ? preview.due_now
              ? msg('The payment went through. The receipt is in your orders.')
              : msg('Your new price applies from your next invoice.')
            : msg(str`Your plan changes to ${preview.product.name} on ${formatShortDate(preview.effective_at)}.`)
        }
      </p>
    </div>`;
  }

  private renderFooter(sub: Subscription): TemplateResult {
    const busy = this.busy;
    if (this.step === 'choose') {
      return html`<button slot="footer" type="button" class="button button--secondary" @click=${() => this.close()}>${msg('Cancel')}</button>
        <button slot="footer" type="button" class="button button--primary" ?disabled=${!this.selected} @click=${() => this.review(sub)}>${msg('Review change')}</button>`;
    }
    if (this.step === 'review') {
      const preview = this.preview;
      return html`<button slot="footer" type="button" class="button button--secondary" ?disabled=${busy} @click=${() => void this.goTo('choose')}>${msg('Back')}</button>
        <button
          slot="footer"
          type="button"
          class="button button--primary"
          ?disabled=${busy || !preview}
          aria-busy=${busy ? 'true' : 'false'}
          @click=${() => preview && this.confirm(sub, preview)}
        >
          ${busyLabel(busy, preview ? confirmLabel(preview, msg('Confirm change')) : msg('Confirm change'), msg('Changing plan…'))}
        </button>`;
    }
    return html`<button slot="footer" type="button" class="button button--primary" @click=${() => this.close()}>${msg('Done')}</button>`;
  }

  override render(): TemplateResult | typeof nothing {
    const sub = this.subscription;
    if (!sub) return nothing;
    const titles: Record<Step, string> = {
      choose: msg('Change plan'),
      review: msg('Review your change'),
      done: this.preview?.timing === 'now' ? msg('Plan changed') : msg('Change scheduled'),
    };
    return html`<customer-portal-dialog label=${titles[this.step]} ?open=${this.open} ?busy=${this.busy} @close=${this.onDialogClose}>
      <div class="stack">
        ${this.step === 'choose' ? this.renderPlans(sub) : this.step === 'review' ? this.renderReview() : this.renderDone()}
        <div class="errors" role="alert">${this.error ? alert('danger', this.error) : nothing}</div>
      </div>
      ${this.renderFooter(sub)}
    </customer-portal-dialog>
    ${
      this.confirmingOrder && this.preview
        ? html`<customer-portal-confirm-payment-dialog
            open
            order-id=${this.confirmingOrder}
            .http=${this.http}
            @confirmed=${() => this.onPaymentConfirmed(sub, this.preview!, this.confirmingOrder)}
            @close=${this.onConfirmClosed}
          ></customer-portal-confirm-payment-dialog>`
        : nothing
    }`;
  }
}

ChangePlanFlow.define('customer-portal-change-plan-flow');

declare global {
  interface HTMLElementTagNameMap {
    'customer-portal-change-plan-flow': ChangePlanFlow;
  }
}
