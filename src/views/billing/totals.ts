import { msg } from '@lit/localize';
import { css, html, nothing, type TemplateResult } from 'lit';
import { formatMoney } from '../../i18n/money.js';
import type { InvoiceLine } from '../../schemas/billing.js';

/** An invoice's amounts: a preview (next invoice, a change) or an order. */
export interface Totals {
  currency: string;
  lines?: InvoiceLine[] | undefined;
  subtotal: number;
  discount_amount: number;
  tax_amount: number;
  tax_label?: string | null;
  credit_amount: number;
  total: number;
}

const SUMMARY_KINDS = ['tax', 'credit', 'discount'];

/**
 * Line items, then subtotal, discount, tax, credit and total, as a table.
 * `totalLabel`: "Total", "Due now", "Amount due"…
 */
export function totalsTable(totals: Totals, caption: string, totalLabel = msg('Total')): TemplateResult {
  const m = (amount: number) => formatMoney(amount, totals.currency);
  const items = (totals.lines ?? []).filter((l) => !SUMMARY_KINDS.includes(l.kind));
  const taxLabel = totals.tax_label ?? totals.lines?.find((l) => l.kind === 'tax')?.description ?? msg('Tax');
  const row = (label: string, amount: string, cls = '') => html`<tr class=${cls}><th scope="row">${label}</th><td><bdi>${amount}</bdi></td></tr>`;
  return html`<table class="totals">
    <caption class="visually-hidden">${caption}</caption>
    <thead class="visually-hidden">
      <tr><th scope="col">${msg('Item')}</th><th scope="col">${msg('Amount')}</th></tr>
    </thead>
    <tbody>
      ${items.map(
        (line) =>
          html`<tr class="item">
            <th scope="row">
              <bdi>${line.description}</bdi>
              ${line.quantity > 1 ? html`<span class="totals__detail">${line.quantity} × ${m(line.unit_amount)}</span>` : nothing}
            </th>
            <td><bdi>${m(line.amount)}</bdi></td>
          </tr>`,
      )}
    </tbody>
    <tbody class="totals__summary">
      ${row(msg('Subtotal'), m(totals.subtotal), 'sub')}
      ${totals.discount_amount ? row(msg('Discount'), m(-totals.discount_amount)) : nothing}
      ${totals.tax_amount ? row(taxLabel, m(totals.tax_amount)) : nothing}
      ${totals.credit_amount ? row(msg('Credit from your wallet'), m(-totals.credit_amount)) : nothing}
      ${row(totalLabel, m(totals.total), 'total')}
    </tbody>
  </table>`;
}

export const totalsStyles = css`
  .totals {
    width: 100%;
    border-collapse: collapse;
    font-size: 0.875rem;
    font-variant-numeric: tabular-nums;
  }
  .totals th,
  .totals td {
    padding: 6px 0;
    vertical-align: top;
  }
  .totals th {
    font-weight: 400;
    text-align: start;
  }
  .totals td {
    padding-inline-start: calc(var(--_space) * 2);
    text-align: end;
    white-space: nowrap;
  }
  .totals__detail {
    display: block;
    color: var(--_muted);
    font-size: 0.8125rem;
  }
  .totals__summary th,
  .totals__summary td {
    color: var(--_muted);
  }
  .totals .sub th,
  .totals .sub td {
    border-top: 1px solid var(--_border);
    padding-top: 10px;
  }
  .totals .total th,
  .totals .total td {
    border-top: 1px solid var(--_border);
    padding-top: 10px;
    color: var(--_text);
    font-size: 0.9375rem;
    font-weight: 650;
  }
`;
