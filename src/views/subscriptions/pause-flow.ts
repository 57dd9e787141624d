import { msg, str } from '@lit/localize';
import { html, nothing, type TemplateResult } from 'lit';
import { property } from 'lit/decorators.js';
import { subscriptionAction } from '../../api/subscriptions.js';
import { SubscriptionChangedEvent } from '../../events.js';
import { formatPrice, formatShortDate } from '../../i18n/money.js';
import type { Subscription } from '../../schemas/billing.js';
import { alert } from '../../ui/alert.js';
import { busyLabel } from '../../ui/button.js';
import { doneMark, FlowElement, flowStyles } from '../billing/flow.js';
import { SubscriptionFlow } from './subscription-flow.js';

type Step = 'confirm' | 'done';

/**
 * @summary Pausing a subscription at the end of its period, or resuming a paused one (which
 * starts a new period and charges it now): what will happen, confirmation, the result.
 *
 * @event cp-subscription-changed - Paused or resumed (`change: 'pause' | 'resume'`).
 * @event close - The dialog closed.
 * @internal Used inside the views only; not part of the public API.
 */
export class PauseFlow extends SubscriptionFlow<Step> {
  static override styles = [...FlowElement.styles, flowStyles];

  @property() action: 'pause' | 'resume' = 'pause';

  protected override firstStep(): Step {
    return 'confirm';
  }

  private async confirm(sub: Subscription): Promise<void> {
    const action = this.action;
    const updated = await this.attempt((key) => subscriptionAction(this.http!, sub, action, key));
    if (!updated) return;
    this.onSubscription?.(updated);
    this.emit(
      new SubscriptionChangedEvent({
        subscriptionId: sub.id,
        change: action,
        priceId: updated.price.id,
        seats: updated.seats,
        effectiveAt: action === 'pause' ? (updated.pause_at ?? updated.current_period_end) : updated.current_period_start,
        orderId: null,
      }),
    );
    this.subscription = updated;
    await this.goTo('done');
  }

  private renderConfirm(sub: Subscription): TemplateResult {
    const price = formatPrice(sub.amount, sub.currency, sub.interval, sub.interval_count);
    if (this.action === 'pause') {
      const end = formatShortDate(sub.current_period_end);
      return html`<p>
        ${msg(str`${sub.product.name} pauses at the end of this period, on ${end}. You keep access until then and aren’t charged while it is paused. Resume it any time.`)}
      </p>`;
    }
    return html`<p>${msg(str`${sub.product.name} restarts today: a new billing period begins and ${price} (plus any tax) is charged now to your default payment method.`)}</p>`;
  }

  private renderDone(sub: Subscription): TemplateResult {
    return html`<div class="done" role="status">
      ${doneMark}
      <p class="done__title">${this.action === 'pause' ? msg('Pause scheduled') : msg('Subscription resumed')}</p>
      <p>
        ${
          this.action === 'pause'
            ? msg(str`${sub.product.name} pauses on ${formatShortDate(sub.pause_at ?? sub.current_period_end)}.`)
            : msg(str`${sub.product.name} is active again until ${formatShortDate(sub.current_period_end)}.`)
        }
      </p>
    </div>`;
  }

  override render(): TemplateResult | typeof nothing {
    const sub = this.subscription;
    if (!sub) return nothing;
    const busy = this.busy;
    const pause = this.action === 'pause';
    const footer =
      this.step === 'confirm'
        ? html`<button slot="footer" type="button" class="button button--secondary" ?disabled=${busy} @click=${() => this.close()}>
              ${pause ? msg('Keep active') : msg('Not now')}
            </button>
            <button slot="footer" type="button" class="button button--primary" ?disabled=${busy} aria-busy=${busy ? 'true' : 'false'} @click=${() => this.confirm(sub)}>
              ${busyLabel(busy, pause ? msg('Pause subscription') : msg('Resume and pay now'), pause ? msg('Pausing…') : msg('Resuming…'))}
            </button>`
        : html`<button slot="footer" type="button" class="button button--primary" @click=${() => this.close()}>${msg('Done')}</button>`;
    const title = pause ? msg(str`Pause ${sub.product.name}?`) : msg(str`Resume ${sub.product.name}?`);
    return html`<customer-portal-dialog label=${this.step === 'done' ? (pause ? msg('Pause scheduled') : msg('Subscription resumed')) : title} ?open=${this.open} ?busy=${busy} @close=${this.onDialogClose}>
      <div class="stack">
        ${this.step === 'confirm' ? this.renderConfirm(sub) : this.renderDone(sub)}
        <div class="errors" role="alert">${this.error ? alert('danger', this.error) : nothing}</div>
      </div>
      ${footer}
    </customer-portal-dialog>`;
  }
}

PauseFlow.define('customer-portal-pause-flow');

declare global {
  interface HTMLElementTagNameMap {
    'customer-portal-pause-flow': PauseFlow;
  }
}
