import { msg, str } from '@lit/localize';
import { css, html, nothing, svg, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import { fetchUsage } from '../../api/usage.js';
import { formatDateRange, formatMoney, formatNumber, formatShortDate } from '../../i18n/money.js';
import type { UsageMeter } from '../../schemas/usage.js';
import { skeleton } from '../../ui/skeleton.js';
import { ViewElement } from '../../ui/view-element.js';
import { emptyState } from '../billing/empty.js';

const W = 600;
const H = 140;

/**
 * @summary Usage of metered subscriptions: per meter, what was used this period against what
 * is included (with the percentage and any overage and its price), and a chart of the history:
 * each day of this period, or each of the last periods. The chart is an image with a summary
 * for screen readers and the numbers as a table.
 *
 * @csspart base - The section.
 * @csspart card - Each meter.
 * @csspart chart - The history chart.
 * @csspart past-due - The banner shown while a payment has failed.
 */
export class CustomerPortalUsage extends ViewElement {
  static override styles = [
    ...ViewElement.styles,
    css`
      .card__body {
        display: grid;
        gap: calc(var(--_space) * 2);
      }
      .figure {
        display: flex;
        flex-wrap: wrap;
        align-items: baseline;
        gap: 4px 12px;
      }
      .big {
        font-size: 1.75rem;
        font-weight: 650;
        letter-spacing: -0.02em;
        font-variant-numeric: tabular-nums;
      }
      .track {
        height: 8px;
        border-radius: 999px;
        background: var(--_subtle);
        overflow: hidden;
      }
      .fill {
        height: 100%;
        border-radius: inherit;
        background: var(--_primary);
      }
      .over .fill {
        background: var(--_warning);
      }
      .tabs {
        display: flex;
        gap: 4px;
      }
      .tabs .button[aria-pressed='true'] {
        background: var(--_subtle);
        color: var(--_text);
      }
      .plot {
        display: grid;
        gap: 4px;
        font-size: 0.75rem;
      }
      .chart {
        display: block;
        width: 100%;
        height: 140px;
        border-bottom: 1px solid var(--_border);
      }
      .chart rect {
        fill: color-mix(in srgb, var(--_primary) 80%, var(--_surface));
      }
      .chart rect:hover {
        fill: var(--_primary);
      }
      .axis {
        display: flex;
        justify-content: space-between;
      }
    `,
  ];

  protected override section = 'usage' as const;

  #usage = this.load(fetchUsage);
  /** Meters whose chart shows past periods rather than days. */
  @state() private byPeriod = new Set<string>();

  private renderChart(m: UsageMeter): TemplateResult {
    const key = `${m.subscription_id}:${m.meter.id}`;
    const periods = this.byPeriod.has(key);
    const points = periods
      ? m.history.periods.map((p) => ({ label: formatDateRange(p.start, p.end), short: formatShortDate(p.start), value: p.value }))
      : m.history.daily.map((d) => ({ label: formatShortDate(`${d.date}T12:00:00Z`), short: formatShortDate(`${d.date}T12:00:00Z`), value: d.value }));
    const max = Math.max(1, ...points.map((p) => p.value));
    const top = points.reduce((a, b) => (b.value > a.value ? b : a), points[0] ?? { label: '', short: '', value: 0 });
    const total = points.reduce((sum, p) => sum + p.value, 0);
    const unit = m.meter.unit;
    const summary = periods
      ? msg(
          str`${m.meter.name} in the last ${points.length} periods: ${formatNumber(total, unit)} in all, the most ${formatNumber(top.value, unit)} in ${top.label}.`,
        )
      : msg(str`${m.meter.name} each day this period: ${formatNumber(total, unit)} in all, the most ${formatNumber(top.value, unit)} on ${top.label}.`);
    const step = W / Math.max(points.length, 1);
    const tab = (label: string, on: boolean) =>
      html`<button
        type="button"
        class="button button--ghost button--small"
        aria-pressed=${on === periods ? 'true' : 'false'}
        @click=${() => {
          const next = new Set(this.byPeriod);
          if (on) next.add(key);
          else next.delete(key);
          this.byPeriod = next;
        }}
      >
        ${label}
      </button>`;
    return html`<div class="card__header--row">
        <p class="section-title">${msg('History')}</p>
        ${
          m.history.periods.length
            ? html`<div class="tabs" role="group" aria-label=${msg('History')}>${tab(msg('This period'), false)} ${tab(msg('Past periods'), true)}</div>`
            : nothing
        }
      </div>
      ${
        points.length
          ? html`<div class="plot">
              <span class="muted" aria-hidden="true">${msg(str`Highest: ${formatNumber(top.value, unit)}`)}</span>
              <svg class="chart" part="chart" viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" role="img" aria-label=${summary}>
                ${points.map((p, i) => {
                  const h = Math.max((p.value / max) * H, p.value ? 2 : 0);
                  return svg`<rect x=${i * step + step * 0.15} width=${step * 0.7} y=${H - h} height=${h}><title>${p.label}: ${formatNumber(p.value, unit)}</title></rect>`;
                })}
              </svg>
              <div class="axis muted" aria-hidden="true"><span>${points[0]!.short}</span><span>${points[points.length - 1]!.short}</span></div>
            </div>
            <div class="visually-hidden">
              <table>
                <caption>${summary}</caption>
                <tr><th scope="col">${periods ? msg('Period') : msg('Day')}</th><th scope="col">${m.meter.name}</th></tr>
                ${points.map((p) => html`<tr><th scope="row">${p.label}</th><td>${formatNumber(p.value, unit)}</td></tr>`)}
              </table>
            </div>`
          : html`<p class="muted">${msg('No usage recorded yet.')}</p>`
      }`;
  }

  private renderMeter(m: UsageMeter): TemplateResult {
    const unit = m.meter.unit;
    const percent = m.percentage;
    const over = m.overage.units > 0;
    return html`<article class="card" part="card" aria-labelledby="m-${m.meter.id}-${m.subscription_id}">
      <div class="card__header">
        <h3 class="card__title" id="m-${m.meter.id}-${m.subscription_id}"><bdi>${m.meter.name}</bdi></h3>
        <p class="card__description"><bdi>${m.product_name}</bdi> · <bdi>${formatDateRange(m.period.start, m.period.end)}</bdi></p>
      </div>
      <div class="card__body">
        <div class="figure">
          <span class="big">${formatNumber(m.usage, unit)}</span>
          <span class="muted">
            ${m.limit === null ? msg('used this period') : msg(str`of ${formatNumber(m.limit, unit)} included`)}
            ${percent === null ? nothing : html` · <strong>${formatNumber(percent)}%</strong>`}
          </span>
        </div>
        ${
          percent === null
            ? nothing
            : html`<div class="track ${over ? 'over' : ''}" aria-hidden="true"><div class="fill" style="width:${Math.min(percent, 100)}%"></div></div>`
        }
        ${
          over
            ? html`<p>
              ${msg(str`${formatNumber(m.overage.units, unit)} over what is included, at ${formatMoney(m.overage.unit_amount, m.overage.currency)} each: ${formatMoney(m.overage.amount, m.overage.currency)} is added to your next invoice.`)}
            </p>`
            : nothing
        }
        ${this.renderChart(m)}
      </div>
    </article>`;
  }

  private renderLoading(): TemplateResult {
    return html`<div class="card" aria-busy="true">
      <p class="visually-hidden" role="status">${msg('Loading your usage…')}</p>
      <div class="card__body placeholder">${skeleton('30%', '1.25em')} ${skeleton('45%', '2em')} ${skeleton('100%', '8px')} ${skeleton('100%', '9em')}</div>
    </div>`;
  }

  override render(): unknown {
    return this.renderView(
      msg('Usage'),
      msg('What you used this billing period.'),
      this.#usage,
      () => this.renderLoading(),
      ({ meters }) =>
        meters.length
          ? meters.map((m) => this.renderMeter(m))
          : html`<div class="card">${emptyState('chart', msg('No metered usage'), msg('Subscriptions billed by usage will show what you used here.'))}</div>`,
    );
  }
}

CustomerPortalUsage.define('customer-portal-usage');

declare global {
  interface HTMLElementTagNameMap {
    'customer-portal-usage': CustomerPortalUsage;
  }
}
