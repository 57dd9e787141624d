import { msg, str } from '@lit/localize';
import { html, nothing, type TemplateResult } from 'lit';
import { fetchOverview } from '../../api/overview.js';
import { formatShortDate, money, priceTag } from '../../i18n/money.js';
import type { HeldSeat } from '../../schemas/benefits.js';
import type { Order, Overview, Subscription } from '../../schemas/billing.js';
import { skeleton } from '../../ui/skeleton.js';
import { ViewElement } from '../../ui/view-element.js';
import { emptyState } from '../billing/empty.js';
import { nextChargeText, orderBadge, orderSummary, subscriptionBadge } from '../billing/status.js';
import { overviewStyles } from './overview.styles.js';

/**
 * @summary The customer's billing at a glance: active subscriptions, recent orders,
 * benefits and wallet balance, from one request; for a seat holder, the team they joined.
 *
 * @csspart base - The section.
 * @csspart card - Each card.
 * @csspart badge - The status of a subscription or an order.
 * @csspart past-due - The banner shown while a payment has failed.
 */
export class CustomerPortalOverview extends ViewElement {
  static override styles = [...ViewElement.styles, overviewStyles];

  protected override section = 'overview' as const;

  #overview = this.load(fetchOverview);

  private renderSubscription(sub: Subscription): TemplateResult {
    return html`<li class="sub">
      <div class="sub__head">
        <span class="sub__name"><bdi>${sub.product.name}</bdi>${sub.seats > 1 ? html`<span class="muted">&nbsp;× ${sub.seats}</span>` : nothing}</span>
        ${subscriptionBadge(sub)}
      </div>
      <span class="sub__price">${priceTag(sub.amount, sub.currency, sub.interval, sub.interval_count)}</span>
      <span class="muted">${nextChargeText(sub)}</span>
    </li>`;
  }

  private renderOrder(order: Order): TemplateResult {
    return html`<li class="order">
      <span class="order__what">
        <span class="order__title" dir="auto">${orderSummary(order)}</span>
        <span class="muted">${formatShortDate(order.created_at)} · ${order.invoice_number}</span>
      </span>
      ${orderBadge(order)}
      <span class="order__total num">${money(order.total, order.currency)}</span>
    </li>`;
  }

  private navLink(label: string, view: 'subscriptions' | 'orders' | 'benefits'): TemplateResult | typeof nothing {
    return this.canNavigate() ? html`<button type="button" class="link" @click=${() => this.navigate(view)}>${label}</button>` : nothing;
  }

  /** The teams the customer joined: whose plan, since when, and who manages its billing. */
  private renderMemberships(memberships: HeldSeat[]): TemplateResult {
    return html`<div class="card team" part="card">
      <div class="card__header">
        <h3 class="card__title">${memberships.length > 1 ? msg('Your teams') : msg('Your team')}</h3>
      </div>
      <ul class="subs" role="list">
        ${memberships.map(
          (m) => html`<li class="sub">
            <span class="sub__name">${msg(html`You joined <bdi dir="auto">${m.owner}</bdi>’s <bdi dir="auto">${m.plan}</bdi> plan`)}</span>
            ${m.claimed_at ? html`<span class="muted">${msg(str`Member since ${formatShortDate(m.claimed_at)}`)}</span>` : nothing}
            <span class="muted">${msg(html`<bdi dir="auto">${m.owner}</bdi> manages this plan and its billing. Your seat comes with the plan’s benefits.`)}</span>
          </li>`,
        )}
      </ul>
    </div>`;
  }

  private renderBenefits(data: Overview): TemplateResult {
    return html`<div class="card" part="card">
      <div class="card__header card__header--row">
        <h3 class="card__title">${msg('Benefits')}</h3>
        ${data.benefits.length ? this.navLink(msg('Open benefits'), 'benefits') : nothing}
      </div>
      ${
        data.benefits.length
          ? html`<ul class="orders" role="list">
            ${data.benefits.map((b) => html`<li class="order"><span class="order__what"><span class="order__title" dir="auto">${b.description}</span></span></li>`)}
          </ul>`
          : emptyState('benefits', msg('No benefits yet'), msg('License keys, downloads and other perks of your plan will appear here.'))
      }
    </div>`;
  }

  private renderOverview(data: Overview): TemplateResult {
    const balances = data.wallet.balances.filter((b) => b.balance > 0);
    const memberships = data.memberships ?? [];
    // A team member without billing of their own: their team and its benefits, not empty billing cards.
    if (memberships.length && !data.subscriptions.length && !data.recent_orders.length) {
      return html`${this.renderMemberships(memberships)} ${this.renderBenefits(data)}
        ${
          balances.length
            ? html`<div class="card" part="card">
              <div class="card__header"><h3 class="card__title">${msg('Wallet')}</h3></div>
              <div class="card__body wallet">${balances.map((b) => html`<span class="balance">${money(b.balance, b.currency)}</span>`)}</div>
            </div>`
            : nothing
        }`;
    }
    return html`${memberships.length ? this.renderMemberships(memberships) : nothing}
      <div class="card" part="card">
        <div class="card__header card__header--row">
          <h3 class="card__title">${msg('Active subscriptions')}</h3>
          ${data.subscriptions.length ? this.navLink(msg('Manage subscriptions'), 'subscriptions') : nothing}
        </div>
        ${
          data.subscriptions.length
            ? html`<ul class="subs" role="list">${data.subscriptions.map((sub) => this.renderSubscription(sub))}</ul>`
            : emptyState('subscriptions', msg('No active subscriptions'), msg('Plans you subscribe to show up here.'))
        }
      </div>
      <div class="columns">
        <div class="card" part="card">
          <div class="card__header card__header--row">
            <h3 class="card__title">${msg('Recent orders')}</h3>
            ${data.recent_orders.length ? this.navLink(msg('View all orders'), 'orders') : nothing}
          </div>
          ${
            data.recent_orders.length
              ? html`<ul class="orders" role="list">${data.recent_orders.map((order) => this.renderOrder(order))}</ul>`
              : emptyState('orders', msg('No orders yet'), msg('Your invoices and receipts will be listed here.'))
          }
        </div>
        <div class="side">
          <div class="card" part="card">
            <div class="card__header"><h3 class="card__title">${msg('Wallet')}</h3></div>
            <div class="card__body wallet">
              ${
                balances.length
                  ? balances.map((b) => html`<span class="balance">${money(b.balance, b.currency)}</span>`)
                  : html`<span class="balance">${money(0, data.subscriptions[0]?.currency ?? 'USD')}</span>`
              }
              <p class="muted">${msg('Credit is applied automatically to your next invoices.')}</p>
            </div>
          </div>
          ${this.renderBenefits(data)}
        </div>
      </div>`;
  }

  private renderLoading(): TemplateResult {
    const block = (height: string) => html`<div class="card">
      <div class="card__header">${skeleton('9em', '1.25em')}</div>
      <div class="card__body placeholder">${skeleton('60%')} ${skeleton('100%', height)}</div>
    </div>`;
    return html`<div class="placeholder" aria-busy="true">
      <p class="visually-hidden" role="status">${msg('Loading your overview…')}</p>
      ${block('4.5em')}
      <div class="columns">${block('9em')} ${block('4em')}</div>
    </div>`;
  }

  override render(): unknown {
    const data = this.#overview.value;
    const seatOnly = !!data?.memberships?.length && !data.subscriptions.length && !data.recent_orders.length;
    return this.renderView(
      msg('Overview'),
      seatOnly ? msg('The team you joined and what your seat comes with.') : msg('Your plan, recent orders and credit at a glance.'),
      this.#overview,
      () => this.renderLoading(),
      (data) => this.renderOverview(data),
    );
  }
}

CustomerPortalOverview.define('customer-portal-overview');

declare global {
  interface HTMLElementTagNameMap {
    'customer-portal-overview': CustomerPortalOverview;
  }
}
