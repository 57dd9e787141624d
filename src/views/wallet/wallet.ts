import { msg, str } from '@lit/localize';
import { css, html, type TemplateResult } from 'lit';
import type { SessionState } from '../../api/session.js';
import { fetchWallet } from '../../api/wallet.js';
import { formatMoney, formatShortDate, money } from '../../i18n/money.js';
import type { Wallet, WalletTransaction } from '../../schemas/wallet.js';
import { skeleton } from '../../ui/skeleton.js';
import { ViewElement } from '../../ui/view-element.js';
import { emptyState } from '../billing/empty.js';
import { MorePages } from '../billing/paging.js';

/**
 * @summary The customer's wallet: the credit balance in each currency (applied to invoices
 * automatically at renewal) and the history of credits granted, used and expired, paged.
 *
 * @csspart base - The section.
 * @csspart card - Each card.
 * @csspart balance - A balance.
 * @csspart past-due - The banner shown while a payment has failed.
 */
export class CustomerPortalWallet extends ViewElement {
  static override styles = [
    ...ViewElement.styles,
    css`
      .balances {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr));
        gap: calc(var(--_space) * 2);
      }
      .balance {
        display: grid;
        gap: 2px;
        padding: calc(var(--_space) * 2) calc(var(--_space) * 2.5);
      }
      .balance strong {
        font-size: 1.75rem;
        font-weight: 650;
        letter-spacing: -0.02em;
        font-variant-numeric: tabular-nums;
      }
      .plus {
        color: var(--_success);
      }
    `,
  ];

  protected override section = 'wallet' as const;

  #wallet = this.load((http, signal) => fetchWallet(http, null, signal));
  #more = new MorePages<WalletTransaction>(this, (cursor) => fetchWallet(this.connection!.http, cursor).then((w) => w.transactions));

  protected override sessionChanged(previous: SessionState): void {
    super.sessionChanged(previous);
    this.#more.reset();
  }

  private renderTransaction(t: WalletTransaction): TemplateResult {
    const kinds: Record<string, string> = {
      promotional: msg('Credit'),
      prepaid: msg('Prepaid credit'),
      refund: msg('Refund to your wallet'),
      applied: msg('Applied to an invoice'),
      proration: msg('Credit for a plan change'),
      adjustment: msg('Adjustment'),
      expired: msg('Expired'),
    };
    const notes = [formatShortDate(t.created_at), kinds[t.kind] ?? t.kind];
    if (t.remaining !== null && t.remaining < t.amount) notes.push(msg(str`${formatMoney(t.remaining, t.currency)} left`));
    if (t.expires_at && t.remaining) notes.push(msg(str`expires ${formatShortDate(t.expires_at)}`));
    return html`<li class="entry">
      <div class="entry__main">
        <span class="entry__title"><bdi>${t.description}</bdi></span>
        <span class="muted">${notes.join(' · ')}</span>
      </div>
      <span class="num ${t.amount > 0 ? 'plus' : ''}">${money(t.amount, t.currency, t.amount > 0 ? '+' : '')}</span>
    </li>`;
  }

  private renderLoaded(wallet: Wallet): TemplateResult {
    const transactions = [...wallet.transactions.data, ...this.#more.items];
    const balances = wallet.balances.length ? wallet.balances : [{ currency: 'USD', balance: 0 }];
    return html`<div class="balances">
        ${balances.map(
          (b) => html`<div class="card balance" part="card balance">
            <span class="muted">${msg(str`Balance (${b.currency})`)}</span>
            <strong>${money(b.balance, b.currency)}</strong>
            <span class="muted">${msg('Used automatically on your next invoices.')}</span>
          </div>`,
        )}
      </div>
      <div class="card" part="card">
        <div class="card__header"><h3 class="card__title">${msg('Credit history')}</h3></div>
        ${
          transactions.length
            ? html`<ul class="rows" role="list">${transactions.map((t) => this.renderTransaction(t))}</ul>`
            : emptyState('wallet', msg('No credit yet'), msg('Credits and refunds to your wallet will be listed here.'))
        }
        ${this.#more.render(wallet.transactions)}
      </div>`;
  }

  private renderLoading(): TemplateResult {
    return html`<div class="stack" aria-busy="true">
      <p class="visually-hidden" role="status">${msg('Loading your wallet…')}</p>
      <div class="card balance">${skeleton('6em')} ${skeleton('8em', '2em')}</div>
      <div class="card"><div class="card__body placeholder">${skeleton('100%')} ${skeleton('100%')} ${skeleton('100%')}</div></div>
    </div>`;
  }

  override render(): unknown {
    return this.renderView(
      msg('Wallet'),
      msg('Your credit balance and its history.'),
      this.#wallet,
      () => this.renderLoading(),
      (wallet) => this.renderLoaded(wallet),
    );
  }
}

CustomerPortalWallet.define('customer-portal-wallet');

declare global {
  interface HTMLElementTagNameMap {
    'customer-portal-wallet': CustomerPortalWallet;
  }
}
