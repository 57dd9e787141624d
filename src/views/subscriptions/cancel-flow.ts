import { msg, str } from '@lit/localize';
import { css, html, nothing, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import { cancelSubscription, fetchSubscription, subscriptionAction } from '../../api/subscriptions.js';
import { SubscriptionCanceledEvent, SubscriptionChangedEvent } from '../../events.js';
import { formatMoney, formatPrice, formatShortDate } from '../../i18n/money.js';
import type { CancellationReason, CancelResult, RetentionOffer, Subscription } from '../../schemas/billing.js';
import { alert } from '../../ui/alert.js';
import { busyLabel } from '../../ui/button.js';
import { doneMark, FlowElement, flowStyles } from '../billing/flow.js';
import { SubscriptionFlow } from './subscription-flow.js';

/** The retention offer's card. */
const offerStyles = css`
  .offer {
    display: grid;
    justify-items: center;
    gap: 4px;
    padding: calc(var(--_space) * 3) calc(var(--_space) * 2);
    border-radius: calc(var(--_radius) * 1.5);
    background: linear-gradient(135deg, color-mix(in srgb, var(--_primary) 10%, var(--_surface)), color-mix(in srgb, var(--_primary) 3%, var(--_surface)));
    text-align: center;
  }
  .offer__eyebrow {
    color: var(--_primary);
    font-size: 0.75rem;
    font-weight: 650;
    letter-spacing: 0.06em;
    text-transform: uppercase;
  }
  .offer__big {
    font-size: 2.25rem;
    font-weight: 700;
    letter-spacing: -0.03em;
    line-height: 1.15;
  }
  .offer__text {
    max-width: 36ch;
    color: var(--_muted);
  }
`;

type Step = 'when' | 'reason' | 'offer' | 'confirm' | 'done' | 'kept';
type Mode = 'at_period_end' | 'immediately';

/**
 * The server refunds as of the refund's `as_of` for an hour; an older amount is fetched again
 * when the dialog opens, so the one shown is the one refunded.
 */
const REFUND_FRESH_FOR = 30 * 60_000;

/** "We refund $6.77 to your card for the unused time." */
function refundText(refund: { amount: number; currency: string; destination: string }): string {
  const amount = formatMoney(refund.amount, refund.currency);
  return refund.destination === 'wallet'
    ? msg(str`We refund ${amount} to your wallet for the unused time.`)
    : msg(str`We refund ${amount} to your card for the unused time.`);
}

/**
 * @summary Cancelling a subscription, in steps: when it ends (end of period, or now with a
 * prorated refund), why (reasons and a comment, optional), the retention offer if the
 * organization has one, a summary to confirm, and what happened (the refund, if any).
 *
 * @event cp-subscription-canceled - The subscription was canceled.
 * @event cp-subscription-changed - The customer took the retention offer instead (`change: 'retention_offer'`).
 * @event close - The dialog closed.
 * @internal Used inside the views only; not part of the public API.
 */
export class CancelFlow extends SubscriptionFlow<Step> {
  static override styles = [...FlowElement.styles, flowStyles, offerStyles];

  @state() private mode: Mode = 'at_period_end';
  @state() private reason = '';
  @state() private comment = '';
  @state() private result?: CancelResult;
  /** The offer the customer took (the subscription no longer has one once it is taken). */
  @state() private taken?: RetentionOffer;

  protected override firstStep(): Step {
    return 'when';
  }

  protected override reset(): void {
    super.reset();
    this.mode = 'at_period_end';
    this.reason = '';
    this.comment = '';
    this.result = undefined;
    this.taken = undefined;
    void this.freshenRefund();
  }

  /** What cancelling now refunds (tax included), as the server priced it; null when nothing is. */
  #refund(sub: Subscription) {
    const refund = sub.cancellation.immediate_refund;
    return refund && refund.amount > 0 ? refund : null;
  }

  /** A refund priced long ago (a page left open) is priced again before the customer decides on it. */
  private async freshenRefund(): Promise<void> {
    const sub = this.subscription;
    const asOf = sub?.cancellation.immediate_refund?.as_of;
    if (!this.open || !sub || !this.http || !asOf || Date.now() - Date.parse(asOf) < REFUND_FRESH_FOR) return;
    const fresh = await fetchSubscription(this.http, sub.id).catch(() => undefined);
    // The amount shown and the as_of sent change together: what is shown is still what is refunded.
    if (fresh && this.open && !this.busy) this.onSubscription?.(fresh);
  }

  private afterReason(): void {
    void this.goTo(this.subscription?.cancellation.retention_offer ? 'offer' : 'confirm');
  }

  private async acceptOffer(sub: Subscription): Promise<void> {
    const updated = await this.attempt((key) => subscriptionAction(this.http!, sub, 'accept-offer', key));
    if (!updated) return;
    this.taken = sub.cancellation.retention_offer ?? undefined;
    this.onSubscription?.(updated);
    this.emit(
      new SubscriptionChangedEvent({
        subscriptionId: sub.id,
        change: 'retention_offer',
        priceId: updated.price.id,
        seats: updated.seats,
        effectiveAt: new Date().toISOString(),
        orderId: null,
      }),
    );
    await this.goTo('kept');
  }

  private async cancel(sub: Subscription): Promise<void> {
    const refund = this.mode === 'immediately' ? sub.cancellation.immediate_refund : null;
    const body = {
      mode: this.mode,
      // One of the ids the server listed (sub.cancellation.reasons).
      ...(this.reason ? { reason: this.reason as CancellationReason } : {}),
      ...(this.comment.trim() ? { comment: this.comment.trim() } : {}),
      // Refunded as of the moment the amount shown was priced: exactly that amount.
      ...(refund ? { proration_date: refund.as_of } : {}),
    };
    const result = await this.attempt((key) => cancelSubscription(this.http!, sub, body, key));
    if (!result) return;
    this.result = result;
    this.onSubscription?.(result.subscription);
    this.emit(
      new SubscriptionCanceledEvent({
        subscriptionId: sub.id,
        mode: this.mode,
        endsAt: result.subscription.ended_at ?? result.subscription.current_period_end,
        refund: result.refund,
      }),
    );
    await this.goTo('done');
  }

  private renderWhen(sub: Subscription): TemplateResult {
    const end = formatShortDate(sub.current_period_end);
    const refund = this.#refund(sub);
    const option = (mode: Mode, title: string, text: string | TemplateResult) =>
      html`<label class="choice">
        <input type="radio" name="mode" .checked=${this.mode === mode} @change=${() => (this.mode = mode)} />
        <span class="choice__title">${title}</span>
        <span class="choice__text">${text}</span>
      </label>`;
    return html`<fieldset>
      <legend>${msg('When should it end?')}</legend>
      ${option('at_period_end', msg('At the end of the billing period'), msg(str`Keep using ${sub.product.name} until ${end}. You won’t be charged again.`))}
      ${option(
        'immediately',
        msg('Immediately'),
        refund ? html`${msg('Access ends now.')} <strong>${refundText(refund)}</strong>` : msg('Access ends now. Nothing more is charged.'),
      )}
    </fieldset>`;
  }

  private renderReason(sub: Subscription): TemplateResult {
    return html`<div class="stack">
      <fieldset>
        <legend>${msg('Why are you canceling?')} <span class="muted">${msg('(optional)')}</span></legend>
        ${sub.cancellation.reasons.map(
          (r) => html`<label class="choice choice--compact">
            <input type="radio" name="reason" .checked=${this.reason === r.id} @change=${() => (this.reason = r.id)} />
            <span>${r.label}</span>
          </label>`,
        )}
      </fieldset>
      <div class="field">
        <label class="label" for="comment">${msg('Anything we could do better?')} <span class="muted">${msg('(optional)')}</span></label>
        <textarea
          id="comment"
          class="input"
          maxlength="2000"
          .value=${this.comment}
          @input=${(e: Event) => (this.comment = (e.target as HTMLTextAreaElement).value)}
        ></textarea>
      </div>
    </div>`;
  }

  /**
   * The offer as the server priced it: on the payments the discount applies to, which are
   * those of the scheduled plan when a change is scheduled for the renewal.
   */
  private renderOffer(sub: Subscription): TemplateResult {
    const offer = sub.cancellation.retention_offer!;
    const plan = offer.applies_to;
    const discounted = formatPrice(offer.discounted_amount, sub.currency, plan.interval, plan.interval_count);
    const full = formatMoney(offer.amount, sub.currency);
    const from = formatShortDate(sub.scheduled_change?.effective_at ?? sub.current_period_end);
    const n = offer.periods;
    let text: string;
    let note: string | undefined;
    if (plan.product.id !== sub.product.id) {
      text =
        n === 1
          ? msg(str`Stay and pay ${discounted} instead of ${full} for your next payment on ${plan.product.name}, the plan you move to on ${from}.`)
          : msg(str`Stay and pay ${discounted} instead of ${full} for your next ${n} payments on ${plan.product.name}, the plan you move to on ${from}.`);
    } else {
      text =
        n === 1
          ? msg(str`Stay on ${plan.product.name} and pay ${discounted} instead of ${full} for your next payment.`)
          : msg(str`Stay on ${plan.product.name} and pay ${discounted} instead of ${full} for your next ${n} payments.`);
      // Same product, other price or seats from the renewal (monthly to yearly, fewer seats).
      if (plan.price_id !== sub.price.id || plan.seats !== sub.seats) note = msg(str`Priced on your plan from ${from}.`);
    }
    return html`<div class="offer">
      <p class="offer__eyebrow">${msg('Before you go')}</p>
      <p class="offer__big">${msg(str`${offer.percent_off}% off`)}</p>
      <p class="offer__text">${text}</p>
      ${note ? html`<p class="offer__text">${note}</p>` : nothing}
    </div>`;
  }

  private renderConfirm(sub: Subscription): TemplateResult {
    const end = formatShortDate(sub.current_period_end);
    const now = this.mode === 'immediately';
    const reason = sub.cancellation.reasons.find((r) => r.id === this.reason);
    const refund = this.#refund(sub);
    const facts = now
      ? [msg(str`${sub.product.name} ends now and you lose access to it.`), refund ? refundText(refund) : msg('Nothing more is charged.')]
      : [
          msg(str`${sub.product.name} stays active until ${end}.`),
          msg('You won’t be charged again.'),
          msg(str`Changed your mind? Resume it any time before ${end}.`),
        ];
    return html`<div class="stack">
      <p>${msg('Here is what will happen:')}</p>
      <ul class="facts">
        ${facts.map((fact) => html`<li><svg viewBox="0 0 20 20" aria-hidden="true"><path d="m5 10.5 3 3 7-7" /></svg><span>${fact}</span></li>`)}
      </ul>
      ${reason ? html`<p class="note">${msg(str`Reason: ${reason.label}`)}</p>` : nothing}
    </div>`;
  }

  private renderDone(sub: Subscription): TemplateResult {
    const result = this.result;
    const refund = result?.refund;
    const ended = result?.subscription.status === 'canceled';
    return html`<div class="done" role="status">
      ${doneMark}
      <p class="done__title">${ended ? msg('Your subscription has ended') : msg('Your subscription is canceled')}</p>
      <p>
        ${
          ended
            ? msg(str`${sub.product.name} ended today.`)
            : msg(
                str`You keep ${sub.product.name} until ${formatShortDate(result?.subscription.current_period_end ?? sub.current_period_end)}. No further charges.`,
              )
        }
      </p>
      ${
        refund
          ? html`<p>
            ${
              refund.destination === 'wallet'
                ? msg(str`We added ${formatMoney(refund.amount, refund.currency)} to your wallet for the unused time.`)
                : msg(str`We refunded ${formatMoney(refund.amount, refund.currency)} to your card for the unused time. It can take 5–10 days to appear.`)
            }
          </p>`
          : nothing
      }
    </div>`;
  }

  private renderKept(): TemplateResult {
    const offer = this.taken;
    return html`<div class="done" role="status">
      ${doneMark}
      <p class="done__title">${msg('Offer applied')}</p>
      <p>${offer ? msg(str`${offer.percent_off}% off is applied to your next ${offer.periods} payments for ${offer.applies_to.product.name}. Thanks for staying!`) : nothing}</p>
    </div>`;
  }

  private renderFooter(sub: Subscription): TemplateResult {
    const busy = this.busy;
    const secondary = (label: string, action: () => void) =>
      html`<button slot="footer" type="button" class="button button--secondary" ?disabled=${busy} @click=${action}>${label}</button>`;
    const primary = (label: string, action: () => void, cls = 'button--primary') =>
      html`<button slot="footer" type="button" class="button ${cls}" ?disabled=${busy} @click=${action}>${label}</button>`;
    switch (this.step) {
      case 'when':
        return html`${secondary(msg('Keep subscription'), () => this.close())} ${primary(msg('Continue'), () => void this.goTo('reason'))}`;
      case 'reason':
        return html`${secondary(msg('Back'), () => void this.goTo('when'))} ${primary(msg('Continue'), () => this.afterReason())}`;
      case 'offer':
        return html`${secondary(msg('No thanks, cancel'), () => void this.goTo('confirm'))}
          <button slot="footer" type="button" class="button button--primary" ?disabled=${busy} aria-busy=${busy ? 'true' : 'false'} @click=${() => this.acceptOffer(sub)}>
            ${busyLabel(busy, msg('Accept offer'), msg('Applying…'))}
          </button>`;
      case 'confirm':
        return html`${secondary(msg('Back'), () => void this.goTo(sub.cancellation.retention_offer ? 'offer' : 'reason'))}
          <button slot="footer" type="button" class="button button--danger" ?disabled=${busy} aria-busy=${busy ? 'true' : 'false'} @click=${() => this.cancel(sub)}>
            ${busyLabel(busy, this.mode === 'immediately' ? msg('Cancel now') : msg('Cancel subscription'), msg('Canceling…'))}
          </button>`;
      default:
        return primary(msg('Done'), () => this.close());
    }
  }

  override render(): TemplateResult | typeof nothing {
    const sub = this.subscription;
    if (!sub) return nothing;
    const body: Record<Step, () => TemplateResult> = {
      when: () => this.renderWhen(sub),
      reason: () => this.renderReason(sub),
      offer: () => this.renderOffer(sub),
      confirm: () => this.renderConfirm(sub),
      done: () => this.renderDone(sub),
      kept: () => this.renderKept(),
    };
    const titles: Record<Step, string> = {
      when: msg(str`Cancel ${sub.product.name}`),
      reason: msg(str`Cancel ${sub.product.name}`),
      offer: msg('A better deal to stay'),
      confirm: msg('Confirm cancellation'),
      done: msg('Subscription canceled'),
      kept: msg('Thanks for staying'),
    };
    return html`<customer-portal-dialog label=${titles[this.step]} ?open=${this.open} ?busy=${this.busy} @close=${this.onDialogClose}>
      <div class="stack">
        ${body[this.step]()}
        <div class="errors" role="alert">${this.error ? alert('danger', this.error) : nothing}</div>
      </div>
      ${this.renderFooter(sub)}
    </customer-portal-dialog>`;
  }
}

CancelFlow.define('customer-portal-cancel-flow');

declare global {
  interface HTMLElementTagNameMap {
    'customer-portal-cancel-flow': CancelFlow;
  }
}
