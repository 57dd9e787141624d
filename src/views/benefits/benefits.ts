import { msg, str } from '@lit/localize';
import { css, html, nothing, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import { benefitAction, fetchBenefits } from '../../api/benefits.js';
import type { ApiError } from '../../api/errors.js';
import type { SessionState } from '../../api/session.js';
import { KeyRotatedEvent } from '../../events.js';
import { formatNumber, formatShortDate } from '../../i18n/money.js';
import type { PortalBenefit, PortalBenefitList } from '../../schemas/benefits.js';
import { alert } from '../../ui/alert.js';
import { badge } from '../../ui/badge.js';
import { busyLabel } from '../../ui/button.js';
import { skeleton } from '../../ui/skeleton.js';
import { ViewElement } from '../../ui/view-element.js';
import { Confirm, copyText } from '../billing/confirm.js';
import { emptyState } from '../billing/empty.js';

type Of<T extends PortalBenefit['type']> = Extract<PortalBenefit, { type: T }>;

const fileSize = (bytes: number) => (bytes < 1e6 ? formatNumber(Math.max(1, Math.round(bytes / 1e3)), 'KB') : formatNumber(bytes / 1e6, 'MB'));

/**
 * @summary What the customer's purchases and subscriptions give them: license keys (show,
 * copy, rotate, activations), file downloads (signed links that expire), Discord invites,
 * API keys (reveal, copy, regenerate) and the merchant's custom benefits (text and links).
 *
 * @event cp-key-rotated - A license or API key was replaced; the old one stops working.
 * @csspart base - The section.
 * @csspart card - Each benefit.
 * @csspart badge - A benefit's kind, or "Expired".
 * @csspart past-due - The banner shown while a payment has failed.
 */
export class CustomerPortalBenefits extends ViewElement {
  static override styles = [
    ...ViewElement.styles,
    css`
      .secret {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: var(--_space);
      }
      .secret code {
        flex: 1 1 14rem;
        min-width: 0;
        padding: 8px 12px;
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        background: var(--_subtle);
      }
      .card__body {
        display: grid;
        gap: calc(var(--_space) * 1.5);
      }
      .text {
        white-space: pre-line;
      }
    `,
  ];

  protected override section = 'benefits' as const;

  #benefits = this.load(fetchBenefits);
  #confirm = new Confirm(this);
  /** Grants whose full key is shown (license keys hide theirs until asked). */
  @state() private shown = new Set<string>();
  /** Full API keys from reveal or rotate, by grant: the list never carries them. */
  @state() private keys = new Map<string, string>();
  @state() private revealing = '';
  /** The grant whose reveal failed, and why. */
  @state() private revealError?: [string, string];

  protected override sessionChanged(previous: SessionState): void {
    super.sessionChanged(previous);
    this.shown = new Set();
    this.keys = new Map();
  }

  /** Replaces one benefit with the server's newer answer. */
  #update(next: PortalBenefit): void {
    const list = (this.fresh as PortalBenefitList | undefined) ?? this.#benefits.value;
    if (list) this.fresh = { data: list.data.map((b) => (b.id === next.id ? next : b)) };
    if (next.type === 'api_key' && next.api_key.key) this.keys = new Map(this.keys).set(next.id, next.api_key.key);
  }

  private async reveal(grant: Of<'api_key'>): Promise<void> {
    this.revealing = grant.id;
    this.revealError = undefined;
    try {
      this.#update(await benefitAction(this.connection!.http, grant.id, 'reveal', crypto.randomUUID()));
    } catch (error) {
      this.revealError = [grant.id, (error as ApiError).message];
    } finally {
      this.revealing = '';
    }
  }

  private rotate(grant: Of<'license_key' | 'api_key'>): void {
    const license = grant.type === 'license_key';
    this.#confirm.ask({
      title: license ? msg('Rotate this license key?') : msg('Regenerate this API key?'),
      text: license
        ? msg('You get a new key at once. The current key stops working, and its activations are removed: activate your software again with the new key.')
        : msg('You get a new key at once. The current key stops working: update every place that uses it.'),
      action: license ? msg('Rotate key') : msg('Regenerate key'),
      working: license ? msg('Rotating…') : msg('Regenerating…'),
      run: async (key) => {
        this.#update(await benefitAction(this.connection!.http, grant.id, 'rotate', key));
        this.shown = new Set(this.shown).add(grant.id);
        this.announcement = msg('A new key was created. The old one no longer works.');
        this.emit(new KeyRotatedEvent({ grantId: grant.id, type: grant.type }));
      },
    });
  }

  /** A key in a box (`shown`, or `masked`) with Copy when the full key is known. */
  private renderSecret(id: string, key: string | null | undefined, shown: boolean, masked: string, what: string, extra: TemplateResult): TemplateResult {
    return html`<div class="secret">
      <code class="mono" dir="ltr" id="key-${id}">${shown && key ? key : masked}</code>
      ${
        key
          ? html`<button
            type="button"
            class="button button--secondary button--small"
            @click=${() => copyText(key, (m) => (this.announcement = m), this.renderRoot.querySelector(`#key-${id}`))}
          >
            ${msg('Copy')}<span class="visually-hidden"> ${what}</span></button>`
          : nothing
      }
      ${extra}
    </div>`;
  }

  private renderLicense(grant: Of<'license_key'>): TemplateResult {
    const lk = grant.license_key;
    const shown = this.shown.has(grant.id);
    const limit = lk.activation_limit;
    return html`${this.renderSecret(
      grant.id,
      lk.key,
      shown,
      `•••• •••• ${lk.hint}`,
      msg('license key'),
      html`${
        lk.key
          ? html`<button
              type="button"
              class="button button--ghost button--small"
              @click=${() => {
                const next = new Set(this.shown);
                if (!next.delete(grant.id)) next.add(grant.id);
                this.shown = next;
              }}
            >
              ${shown ? msg('Hide') : msg('Show')}<span class="visually-hidden"> ${msg('license key')}</span></button>`
          : nothing
      }
        <button type="button" class="button button--ghost button--small" @click=${() => this.rotate(grant)}>${msg('Rotate')}</button>`,
    )}
      <p class="muted">
        ${limit === null ? msg(str`${lk.activations.length} activations, no limit`) : msg(str`${lk.activations.length} of ${limit} activations used`)}
        ${lk.expires_at ? html` · ${msg(str`Expires ${formatShortDate(lk.expires_at)}`)}` : nothing}
      </p>
      ${
        lk.activations.length
          ? html`<ul class="rows" aria-label=${msg('Activations')}>
            ${lk.activations.map((a) => html`<li class="muted">${a.label} · ${formatShortDate(a.created_at)}</li>`)}
          </ul>`
          : nothing
      }`;
  }

  private renderApiKey(grant: Of<'api_key'>): TemplateResult {
    const busy = this.revealing === grant.id;
    const key = this.keys.get(grant.id);
    return html`${this.renderSecret(
      grant.id,
      key,
      true,
      grant.api_key.hint,
      msg('API key'),
      html`${
        key
          ? nothing
          : html`<button
              type="button"
              class="button button--secondary button--small"
              ?disabled=${busy}
              aria-busy=${busy ? 'true' : 'false'}
              @click=${() => this.reveal(grant)}
            >
              ${busyLabel(busy, msg('Reveal'), msg('Revealing…'))}
            </button>`
      }
        <button type="button" class="button button--ghost button--small" @click=${() => this.rotate(grant)}>${msg('Regenerate')}</button>`,
    )}
      <p class="muted">${msg(str`Created ${formatShortDate(grant.api_key.created_at)}. Keep it secret: anyone with it can act as you.`)}</p>
      <div role="alert">${this.revealError?.[0] === grant.id ? alert('danger', this.revealError[1]) : nothing}</div>`;
  }

  private renderBody(grant: PortalBenefit): TemplateResult | TemplateResult[] {
    switch (grant.type) {
      case 'license_key':
        return this.renderLicense(grant);
      case 'api_key':
        return this.renderApiKey(grant);
      case 'download':
        return html`<ul class="rows" aria-label=${msg('Files')}>
          ${grant.files.map(
            (f) => html`<li>
              <a class="link" href=${f.url} download=${f.name} rel="noopener">${f.name}</a>
              <span class="muted">· ${fileSize(f.size)}</span>
            </li>`,
          )}
        </ul>`;
      case 'discord':
        return html`<p><a class="button button--primary button--small" href=${grant.invite_url} target="_blank" rel="noopener">${msg('Join the Discord server')}</a></p>`;
      default:
        return [
          grant.text ? html`<p class="text">${grant.text}</p>` : html``,
          html`${grant.links.map((l) => html`<a class="link" href=${l.url} target="_blank" rel="noopener">${l.label}</a>`)}`,
        ];
    }
  }

  private renderBenefit(grant: PortalBenefit): TemplateResult {
    const types: Record<string, string> = {
      license_key: msg('License key'),
      download: msg('Downloads'),
      discord: msg('Discord'),
      api_key: msg('API key'),
      custom: msg('Included'),
    };
    const expired = grant.type === 'license_key' && grant.license_key.status !== 'active';
    return html`<article class="card" part="card" aria-labelledby="b-${grant.id}">
      <div class="card__header card__header--row">
        <h3 class="card__title" id="b-${grant.id}"><bdi>${grant.description}</bdi></h3>
        ${expired ? badge('danger', msg('Expired')) : badge('neutral', types[grant.type] ?? grant.type)}
      </div>
      <div class="card__body">${this.renderBody(grant)}</div>
    </article>`;
  }

  private renderLoaded(list: PortalBenefitList): TemplateResult {
    return html`${
      list.data.length
        ? list.data.map((b) => this.renderBenefit(b))
        : html`<div class="card">${emptyState('benefits', msg('No benefits yet'), msg('License keys, downloads and other perks from your purchases will appear here.'))}</div>`
    }
      ${this.#confirm.render()}`;
  }

  private renderLoading(): TemplateResult {
    const card = html`<div class="card"><div class="card__body">${skeleton('30%', '1.25em')} ${skeleton('100%', '2.5em')}</div></div>`;
    return html`<div class="stack" aria-busy="true">
      <p class="visually-hidden" role="status">${msg('Loading your benefits…')}</p>
      ${card} ${card}
    </div>`;
  }

  override render(): unknown {
    return this.renderView(
      msg('Benefits'),
      msg('What your purchases include.'),
      this.#benefits,
      () => this.renderLoading(),
      (list) => this.renderLoaded((this.fresh as PortalBenefitList | undefined) ?? list),
    );
  }
}

CustomerPortalBenefits.define('customer-portal-benefits');

declare global {
  interface HTMLElementTagNameMap {
    'customer-portal-benefits': CustomerPortalBenefits;
  }
}
