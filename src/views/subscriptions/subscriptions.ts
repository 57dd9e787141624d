import type { FlowElement } from '../billing/flow.js';
import { msg, str } from '@lit/localize';
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import type { ApiError } from '../../api/errors.js';
import { ActionKey } from '../../api/idempotency.js';
import type { SessionState } from '../../api/session.js';
import { currentIfChanged, fetchSubscriptions, subscriptionAction } from '../../api/subscriptions.js';
import { SubscriptionChangedEvent, SubscriptionUncanceledEvent } from '../../events.js';
import { formatDateRange, formatPrice, formatShortDate, priceTag } from '../../i18n/money.js';
import type { Subscription } from '../../schemas/billing.js';
import { alert, type AlertVariant } from '../../ui/alert.js';
import { busyLabel } from '../../ui/button.js';
import { skeleton } from '../../ui/skeleton.js';
import { ViewElement } from '../../ui/view-element.js';
import { emptyState } from '../billing/empty.js';
import { nextChargeText, subscriptionBadge } from '../billing/status.js';
import { totalsStyles, totalsTable } from '../billing/totals.js';
import { Confirm } from '../billing/confirm.js';
import { MorePages } from '../billing/paging.js';
import { ensureDefined, lazy } from '../lazy.js';
import { subscriptionsStyles } from './subscriptions.styles.js';

type Flow = 'cancel' | 'change-plan' | 'seats' | 'pause' | 'resume';

/** Each flow's element, loaded when the customer first opens it (src/views/registry.ts `lazy`). */
const flowElements: Record<Flow, [tag: string, load: () => Promise<unknown>]> = {
  cancel: ['customer-portal-cancel-flow', lazy.cancelFlow],
  'change-plan': ['customer-portal-change-plan-flow', lazy.changePlanFlow],
  seats: ['customer-portal-seats-flow', lazy.seatsFlow],
  pause: ['customer-portal-pause-flow', lazy.pauseFlow],
  resume: ['customer-portal-pause-flow', lazy.pauseFlow],
};

const chevron = html`<svg class="chevron" viewBox="0 0 16 16" aria-hidden="true"><path d="m6 3 5 5-5 5" /></svg>`;

/**
 * @summary The customer's subscriptions: a list, and for each its details (status, price,
 * period, next invoice, seats, scheduled changes, discount) and what the organization lets
 * the customer do with it: cancel or resume, change plan or seats, pause or resume.
 *
 * @event cp-subscription-canceled - A subscription was canceled.
 * @event cp-subscription-uncanceled - A cancellation was taken back.
 * @event cp-subscription-changed - Plan or seats changed, paused, resumed, or a retention offer was taken.
 * @csspart base - The section.
 * @csspart card - Each card.
 * @csspart badge - A subscription's status.
 * @csspart past-due - The banner shown while a payment has failed.
 */
export class CustomerPortalSubscriptions extends ViewElement {
  static override styles = [...ViewElement.styles, totalsStyles, subscriptionsStyles];

  protected override section = 'subscriptions' as const;

  #page = this.load((http, signal) => fetchSubscriptions(http, null, signal));

  /** Subscriptions from "Load more", after the first page. */
  #more = new MorePages<Subscription>(this, (cursor) => fetchSubscriptions(this.connection!.http, cursor));
  /** Subscriptions as the last action here left them (newer than the list). */
  @state() private latest = new Map<string, Subscription>();
  /** The subscription shown in detail. */
  @state() private selectedId?: string;
  @state() private flow?: Flow;
  @state() private quickBusy = false;
  @state() private quickError = '';
  /** What the last action here did to a subscription, shown on it until the customer does something else. */
  @state() private notice?: { id: string; variant: AlertVariant; text: string };

  #quickKey = new ActionKey();
  #confirm = new Confirm(this);

  protected override sessionChanged(previous: SessionState): void {
    super.sessionChanged(previous);
    this.#more.reset();
    this.latest = new Map();
    this.selectedId = undefined;
    this.flow = undefined;
    this.notice = undefined;
  }

  /** Every subscription loaded, each as its latest known state. */
  #all(): Subscription[] {
    const first = this.#page.value?.data ?? [];
    return [...first, ...this.#more.items].map((sub) => this.latest.get(sub.id) ?? sub);
  }

  private replace = (sub: Subscription): void => {
    this.latest = new Map(this.latest).set(sub.id, sub);
  };

  /** An action was refused because the subscription had changed: show it as it is now, and say so. */
  private changed = async (sub: Subscription): Promise<void> => {
    this.replace(sub);
    this.notice = { id: sub.id, variant: 'warning', text: msg('This subscription just changed — here it is now.') };
    this.quickError = '';
    // The flow's dialog closes in its own updates, giving focus back to its opener, which the
    // new state may have removed: then focus goes to the subscription.
    await new Promise((resolve) => setTimeout(resolve));
    if (!this.shadowRoot?.activeElement) this.renderRoot.querySelector<HTMLElement>('.hero__title')?.focus();
  };

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    // The address names a subscription (a link, Back, a reload), or none any more.
    if (changed.has('detail') && (this.detail ?? undefined) !== this.selectedId) {
      this.selectedId = this.detail;
      this.flow = undefined;
      this.quickError = '';
      this.notice = undefined;
    }
  }

  private async open(id: string | undefined): Promise<void> {
    // Inside the full portal, the subscription gets an address of its own (Back returns to the list).
    if (this.canNavigate()) this.navigate('subscriptions', id);
    const from = this.selectedId;
    this.selectedId = id;
    this.quickError = '';
    this.notice = undefined;
    await this.updateComplete;
    if (id) this.renderRoot.querySelector<HTMLElement>('.hero__title')?.focus();
    else if (from) this.renderRoot.querySelector<HTMLElement>(`[data-id="${from}"]`)?.focus();
  }

  /** Actions that cost nothing and need no dialog: "Don't cancel", "Don't pause". */
  private async quick(sub: Subscription, action: 'uncancel' | 'resume'): Promise<void> {
    const http = this.connection?.http;
    if (!http || this.quickBusy) return;
    this.quickBusy = true;
    this.quickError = '';
    this.notice = undefined;
    try {
      const updated = await subscriptionAction(http, sub, action, this.#quickKey.value);
      this.#quickKey.settle();
      this.replace(updated);
      if (action === 'uncancel') {
        this.announcement = msg(str`${sub.product.name} will continue. Nothing changes for you.`);
        this.emit(new SubscriptionUncanceledEvent({ subscriptionId: sub.id }));
      } else {
        this.announcement = msg(str`${sub.product.name} will not pause.`);
        this.emit(
          new SubscriptionChangedEvent({
            subscriptionId: sub.id,
            change: 'resume',
            priceId: updated.price.id,
            seats: updated.seats,
            effectiveAt: new Date().toISOString(),
            orderId: null,
          }),
        );
      }
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('.hero__title')?.focus();
    } catch (error) {
      this.#quickKey.settle(error);
      const current = await currentIfChanged(http, sub.id, error);
      if (current) void this.changed(current);
      else this.quickError = (error as ApiError).message;
    } finally {
      this.quickBusy = false;
    }
  }

  /** "Keep current plan": asks, then drops the plan or seat change scheduled for the renewal. */
  private keepPlan(sub: Subscription): void {
    const change = sub.scheduled_change;
    const http = this.connection?.http;
    if (!change || !http) return;
    const date = formatShortDate(change.effective_at);
    const price = formatPrice(sub.amount, sub.currency, sub.interval, sub.interval_count);
    const seatsOnly = change.price_id === sub.price.id;
    this.notice = undefined;
    this.quickError = '';
    this.#confirm.ask({
      title: msg('Keep your current plan?'),
      text: seatsOnly
        ? msg(str`The change to ${change.seats} seats on ${date} won’t happen. You keep ${sub.seats} seats at ${price}.`)
        : msg(
            str`The change to ${change.product.name} at ${formatPrice(change.amount, sub.currency, change.interval, change.interval_count)} on ${date} won’t happen. You stay on ${sub.product.name} at ${price}.`,
          ),
      action: msg('Keep current plan'),
      working: msg('Updating…'),
      tone: 'primary',
      dismiss: msg('Back'),
      run: async (key) => {
        try {
          this.replace(await subscriptionAction(http, sub, 'cancel-scheduled-change', key));
        } catch (error) {
          const current = await currentIfChanged(http, sub.id, error);
          if (!current) throw error;
          void this.changed(current);
          return;
        }
        const text = seatsOnly
          ? msg(str`The scheduled change is canceled. You keep ${sub.seats} seats.`)
          : msg(str`The scheduled change is canceled. You stay on ${sub.product.name} at ${price}.`);
        this.notice = { id: sub.id, variant: 'success', text };
        this.announcement = text;
      },
    });
  }

  private renderRow(sub: Subscription): TemplateResult {
    return html`<li>
      <button type="button" class="row" data-id=${sub.id} @click=${() => this.open(sub.id)}>
        <span class="row__main">
          <span class="row__title"><bdi>${sub.product.name}</bdi>${sub.seats > 1 ? html`<span class="muted">&nbsp;× ${sub.seats}</span>` : nothing} ${subscriptionBadge(sub)}</span>
          <span class="muted">${nextChargeText(sub)}</span>
        </span>
        <span class="row__price">${priceTag(sub.amount, sub.currency, sub.interval, sub.interval_count)}</span>
        ${chevron}
      </button>
    </li>`;
  }

  private renderList(subs: Subscription[]): TemplateResult {
    const current = subs.filter((s) => s.status !== 'canceled');
    const ended = subs.filter((s) => s.status === 'canceled');
    return html`<div class="card" part="card">
        <div class="card__header"><h3 class="card__title">${msg('Current subscriptions')}</h3></div>
        ${
          current.length
            ? html`<ul class="list" role="list">${current.map((sub) => this.renderRow(sub))}</ul>`
            : emptyState('subscriptions', msg('No active subscriptions'), msg('When you subscribe to a plan, you can manage it here.'))
        }
      </div>
      ${
        ended.length
          ? html`<div class="card" part="card">
            <div class="card__header"><h3 class="card__title">${msg('Past subscriptions')}</h3></div>
            <ul class="list list--ended" role="list">${ended.map((sub) => this.renderRow(sub))}</ul>
          </div>`
          : nothing
      }
      ${this.#more.render(this.#page.value)}`;
  }

  private renderNotices(sub: Subscription): TemplateResult {
    const busy = this.quickBusy;
    const button = (label: string, working: string, action: () => void) =>
      html`<button type="button" class="button button--secondary button--small" ?disabled=${busy} aria-busy=${busy ? 'true' : 'false'} @click=${action}>
        ${busyLabel(busy, label, working)}
      </button>`;
    const notices: TemplateResult[] = [];
    if (this.notice?.id === sub.id) notices.push(alert(this.notice.variant, this.notice.text));
    if (sub.status === 'past_due') {
      notices.push(
        alert(
          'danger',
          msg(
            str`The last payment for ${sub.product.name} failed. Update your payment method; we retry automatically, and your subscription continues once it is paid.`,
          ),
        ),
      );
    }
    if (sub.cancel_at_period_end && sub.status !== 'canceled') {
      notices.push(
        alert(
          'warning',
          msg(str`${sub.product.name} ends on ${formatShortDate(sub.current_period_end)}. You won’t be charged again.`),
          sub.actions.uncancel ? button(msg('Don’t cancel'), msg('Resuming…'), () => this.quick(sub, 'uncancel')) : undefined,
        ),
      );
    }
    if (sub.pause_at && sub.status !== 'paused') {
      notices.push(
        alert(
          'warning',
          msg(str`${sub.product.name} pauses on ${formatShortDate(sub.pause_at)}. No charges while it is paused.`),
          sub.actions.resume ? button(msg('Don’t pause'), msg('Updating…'), () => this.quick(sub, 'resume')) : undefined,
        ),
      );
    }
    if (sub.scheduled_change) {
      const change = sub.scheduled_change;
      const date = formatShortDate(change.effective_at);
      const price = formatPrice(change.amount, sub.currency, change.interval, change.interval_count);
      notices.push(
        alert(
          'success',
          change.price_id === sub.price.id
            ? msg(str`Scheduled: ${change.seats} seats from ${date}, then ${price}.`)
            : msg(str`Scheduled: changes to ${change.product.name} at ${price} on ${date}.`),
          sub.actions.cancel_scheduled_change
            ? html`<button type="button" class="button button--secondary button--small" ?disabled=${busy} @click=${() => this.keepPlan(sub)}>${msg('Keep current plan')}</button>`
            : undefined,
        ),
      );
    }
    if (this.quickError) notices.push(alert('danger', this.quickError));
    return html`<div class="notices" role="status">${notices}</div>`;
  }

  private renderActions(sub: Subscription): TemplateResult | typeof nothing {
    const a = sub.actions;
    const resumePaused = a.resume && sub.status === 'paused';
    if (!a.change_plan && !a.change_seats && !a.pause && !resumePaused && !a.cancel) return nothing;
    const open = (flow: Flow) => () => {
      this.notice = undefined;
      this.flow = flow;
      ensureDefined(...flowElements[flow], this);
    };
    return html`<div class="actions">
      ${a.change_plan ? html`<button type="button" class="button button--primary" @click=${open('change-plan')}>${msg('Change plan')}</button>` : nothing}
      ${a.change_seats ? html`<button type="button" class="button button--secondary" @click=${open('seats')}>${msg('Change seats')}</button>` : nothing}
      ${resumePaused ? html`<button type="button" class="button button--primary" @click=${open('resume')}>${msg('Resume subscription')}</button>` : nothing}
      ${a.pause ? html`<button type="button" class="button button--secondary" @click=${open('pause')}>${msg('Pause')}</button>` : nothing}
      ${a.cancel ? html`<button type="button" class="button button--ghost button--cancel" @click=${open('cancel')}>${msg('Cancel subscription')}</button>` : nothing}
    </div>`;
  }

  private renderDetail(sub: Subscription, showBack: boolean): TemplateResult {
    const perSeat = sub.price.model === 'per_seat';
    const next = sub.next_invoice;
    const facts: Array<[string, string]> = [];
    if (sub.status !== 'canceled') facts.push([msg('Current period'), formatDateRange(sub.current_period_start, sub.current_period_end)]);
    if (sub.status === 'trialing' && sub.trial_end) facts.push([msg('Trial ends'), formatShortDate(sub.trial_end)]);
    if (next) facts.push([msg('Next charge'), formatShortDate(next.date)]);
    if (sub.ended_at) facts.push([msg('Ended'), formatShortDate(sub.ended_at)]);
    if (perSeat) facts.push([msg('Seats'), String(sub.seats)]);
    if (sub.discount) {
      facts.push([
        msg('Discount'),
        sub.discount.periods_left === 1
          ? msg(str`${sub.discount.percent_off}% off the next payment`)
          : msg(str`${sub.discount.percent_off}% off the next ${sub.discount.periods_left} payments`),
      ]);
    }
    return html`<div class="detail">
      ${
        showBack
          ? html`<button type="button" class="button button--ghost button--small back" @click=${() => this.open(undefined)}>
            <svg viewBox="0 0 16 16" aria-hidden="true"><path d="m10 3-5 5 5 5" /></svg>${msg('All subscriptions')}
          </button>`
          : nothing
      }
      ${this.renderNotices(sub)}
      <div class="card" part="card">
        <div class="hero">
          <div>
            <h3 class="hero__title" tabindex="-1"><bdi>${sub.product.name}</bdi> ${subscriptionBadge(sub)}</h3>
            ${sub.product.description ? html`<p class="muted"><bdi>${sub.product.description}</bdi></p>` : nothing}
          </div>
          <p class="hero__amount">
            ${priceTag(sub.amount, sub.currency, sub.interval, sub.interval_count)}
            ${perSeat ? html`<small>${msg(str`${sub.seats} seats × ${formatPrice(sub.price.unit_amount, sub.currency, null)}`)}</small>` : nothing}
          </p>
        </div>
        <dl class="facts-grid">${facts.map(([label, value]) => html`<div><dt>${label}</dt><dd>${value}</dd></div>`)}</dl>
        ${this.renderActions(sub)}
      </div>
      ${
        next
          ? html`<div class="card" part="card">
            <div class="card__header">
              <h3 class="card__title">${msg('Next invoice')}</h3>
              <p class="card__description">${msg(str`Charged on ${formatShortDate(next.date)} to your default payment method`)}</p>
            </div>
            <div class="card__body">${totalsTable(next, msg('Next invoice'), msg('Total'))}</div>
          </div>`
          : nothing
      }
    </div>`;
  }

  private renderFlows(sub: Subscription | undefined): TemplateResult | typeof nothing {
    const http = this.connection?.http;
    if (!sub || !http) return nothing;
    const close = (event: Event) => {
      // Done (canceled, changed, paused…): the dialog said so; the toast says it once more after it.
      const done = (event.target as FlowElement).completed;
      if (done) this.announcement = done;
      this.flow = undefined;
    };
    // An element not defined yet renders nothing; it opens as soon as its chunk has defined it.
    if (this.flow) ensureDefined(...flowElements[this.flow], this);
    return html`<customer-portal-cancel-flow
        .http=${http}
        .subscription=${sub}
        .onSubscription=${this.replace}
        .onChanged=${this.changed}
        ?open=${this.flow === 'cancel'}
        @close=${close}
      ></customer-portal-cancel-flow>
      <customer-portal-change-plan-flow
        .http=${http}
        .subscription=${sub}
        .onSubscription=${this.replace}
        .onChanged=${this.changed}
        ?open=${this.flow === 'change-plan'}
        @close=${close}
      ></customer-portal-change-plan-flow>
      <customer-portal-seats-flow
        .http=${http}
        .subscription=${sub}
        .onSubscription=${this.replace}
        .onChanged=${this.changed}
        ?open=${this.flow === 'seats'}
        @close=${close}
      ></customer-portal-seats-flow>
      <customer-portal-pause-flow
        .http=${http}
        .subscription=${sub}
        .onSubscription=${this.replace}
        .onChanged=${this.changed}
        action=${this.flow === 'resume' ? 'resume' : 'pause'}
        ?open=${this.flow === 'pause' || this.flow === 'resume'}
        @close=${close}
      ></customer-portal-pause-flow>`;
  }

  private renderLoaded(): TemplateResult {
    const subs = this.#all();
    // One subscription: straight to it, as there is nothing to choose from.
    const only = subs.length === 1 && !this.#more.hasMore(this.#page.value) ? subs[0] : undefined;
    const selected = subs.find((s) => s.id === this.selectedId) ?? only;
    return html`${selected ? this.renderDetail(selected, !only) : this.renderList(subs)} ${this.renderFlows(selected)} ${this.#confirm.render()}`;
  }

  private renderLoading(): TemplateResult {
    const row = html`<div class="row">${skeleton('40%', '1.25em')} ${skeleton('6em')}</div>`;
    return html`<div class="card" aria-busy="true">
      <p class="visually-hidden" role="status">${msg('Loading your subscriptions…')}</p>
      <div class="card__header">${skeleton('10em', '1.25em')}</div>
      ${row} ${row}
    </div>`;
  }

  override render(): unknown {
    return this.renderView(
      msg('Subscriptions'),
      msg('Your plans, what they cost and when you are charged.'),
      this.#page,
      () => this.renderLoading(),
      () => this.renderLoaded(),
    );
  }
}

CustomerPortalSubscriptions.define('customer-portal-subscriptions');

declare global {
  interface HTMLElementTagNameMap {
    'customer-portal-subscriptions': CustomerPortalSubscriptions;
  }
}
