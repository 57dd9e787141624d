import { msg, str } from '@lit/localize';
import { html, nothing, type TemplateResult } from 'lit';
import { formatMoney, formatPrice, formatShortDate } from '../../i18n/money.js';
import type { ChangePreview } from '../../schemas/billing.js';
import { totalsTable } from '../billing/totals.js';

/** The new price, when it takes effect, what is due now and what goes to the wallet. */
export function renderChangePreview(preview: ChangePreview, perSeat: boolean): TemplateResult {
  const now = preview.timing === 'now';
  const newPrice = formatPrice(preview.new_amount, preview.currency, preview.interval, preview.interval_count);
  return html`<div class="stack">
    <dl class="summary">
      <div><dt>${msg('New price')}</dt><dd>${newPrice}${perSeat ? html` <span class="muted">(${preview.seats} × ${formatMoney(preview.new_amount / preview.seats, preview.currency)})</span>` : nothing}</dd></div>
      <div><dt>${msg('Takes effect')}</dt><dd>${now ? msg('Now') : msg(str`${formatShortDate(preview.effective_at)}, at renewal`)}</dd></div>
      ${now ? html`<div><dt>${msg('Due now')}</dt><dd>${formatMoney(preview.due_now?.total ?? 0, preview.currency)}</dd></div>` : nothing}
    </dl>
    ${preview.due_now ? totalsTable(preview.due_now, msg('What is charged now'), msg('Due now')) : nothing}
    ${
      now && preview.wallet_credit > 0
        ? html`<p class="note">${msg(str`${formatMoney(preview.wallet_credit, preview.currency)} for the unused time goes to your wallet and is applied to your next invoices.`)}</p>`
        : nothing
    }
    ${
      now
        ? preview.due_now
          ? html`<p class="note">${msg('Prorated: you pay only for the rest of the current period. Your default payment method is charged when you confirm.')}</p>`
          : nothing
        : html`<p class="note">${msg(str`Nothing is charged now. You keep your current plan until ${formatShortDate(preview.effective_at)}; from then on you pay ${newPrice}.`)}</p>`
    }
  </div>`;
}

/** The confirm button's words: what it will do, and what it costs. */
export function confirmLabel(preview: ChangePreview, idle: string): string {
  if (preview.timing !== 'now') return msg('Schedule change');
  const due = preview.due_now?.total ?? 0;
  return due > 0 ? msg(str`Pay ${formatMoney(due, preview.currency)} and confirm`) : idle;
}
