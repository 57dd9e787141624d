import { msg, str } from '@lit/localize';
import { css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import { isAbort, type ApiError } from '../../api/errors.js';
import { changeSubscription, previewChange } from '../../api/subscriptions.js';
import { SubscriptionChangedEvent } from '../../events.js';
import { formatPrice } from '../../i18n/money.js';
import type { ChangePreview, Subscription } from '../../schemas/billing.js';
import { alert } from '../../ui/alert.js';
import { busyLabel } from '../../ui/button.js';
import { skeleton } from '../../ui/skeleton.js';
import { confirmLabel, renderChangePreview } from './change-preview.js';
import { doneMark, FlowElement, flowStyles } from '../billing/flow.js';
import { SubscriptionFlow } from './subscription-flow.js';

type Step = 'edit' | 'done';

const MAX_SEATS = 10_000;
/** Wait this long after the last keystroke or click before asking the server for a price. */
const PREVIEW_DELAY = 350;

/**
 * @summary Changing the number of seats: a stepper (−, the number, +), the price of the
 * change from the server as the customer adjusts it, then confirmation.
 *
 * @event cp-subscription-changed - The seat count changed (`change: 'seats'`).
 * @event close - The dialog closed.
 * @internal Used inside the views only; not part of the public API.
 */
export class SeatsFlow extends SubscriptionFlow<Step> {
  static override styles = [
    ...FlowElement.styles,
    flowStyles,
    css`
      .stepper {
        display: inline-grid;
        grid-template-columns: 44px 88px 44px;
        border: 1px solid var(--_border-strong);
        border-radius: var(--_radius);
        overflow: hidden;
      }
      .stepper:focus-within {
        border-color: var(--_primary);
        box-shadow: var(--_ring);
      }
      .stepper button {
        border: 0;
        background: var(--_subtle);
        color: var(--_text);
        font: inherit;
        font-size: 1.25rem;
        line-height: 1;
        cursor: pointer;
      }
      .stepper button:hover:not(:disabled) {
        background: color-mix(in srgb, var(--_text) 8%, var(--_subtle));
      }
      .stepper button:disabled {
        color: var(--_border-strong);
        cursor: not-allowed;
      }
      .stepper button:focus-visible {
        outline: 2px solid var(--_primary);
        outline-offset: -2px;
      }
      .stepper .input {
        min-height: 44px;
        border: 0;
        border-inline: 1px solid var(--_border);
        border-radius: 0;
        font-variant-numeric: tabular-nums;
        font-weight: 600;
        text-align: center;
        -moz-appearance: textfield;
      }
      .stepper .input:focus {
        box-shadow: none;
      }
      .stepper .input::-webkit-inner-spin-button,
      .stepper .input::-webkit-outer-spin-button {
        margin: 0;
        -webkit-appearance: none;
      }
      .seats-row {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: calc(var(--_space) * 2);
      }
    `,
  ];

  @state() private seats = 1;
  @state() private preview?: ChangePreview;
  @state() private previewing = false;
  @state() private inputError = '';

  #timer?: ReturnType<typeof setTimeout>;
  #request?: AbortController;

  protected override firstStep(): Step {
    return 'edit';
  }

  protected override reset(): void {
    super.reset();
    this.seats = this.subscription?.seats ?? 1;
    this.preview = undefined;
    this.previewing = false;
    this.inputError = '';
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#cancelPreview();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('open') && !this.open) this.#cancelPreview();
  }

  #cancelPreview(): void {
    clearTimeout(this.#timer);
    this.#request?.abort();
    this.#request = undefined;
  }

  /** A new seat count: its preview comes once the customer pauses. */
  private setSeats(value: number): void {
    this.seats = value;
    this.preview = undefined;
    this.error = '';
    this.key.reset();
    this.#cancelPreview();
    const sub = this.subscription;
    const valid = Number.isInteger(value) && value >= 1 && value <= MAX_SEATS;
    this.inputError = valid ? '' : msg(str`Enter a whole number from 1 to ${MAX_SEATS.toLocaleString()}.`);
    this.previewing = valid && value !== sub?.seats;
    if (!this.previewing || !sub || !this.http) return;
    const http = this.http;
    this.#timer = setTimeout(async () => {
      const request = new AbortController();
      this.#request = request;
      try {
        const preview = await previewChange(http, sub.id, { seats: value }, request.signal);
        if (this.seats === value) this.preview = preview;
      } catch (error) {
        if (isAbort(error)) return;
        this.error = (error as ApiError).message;
      } finally {
        if (this.#request === request) {
          this.previewing = false;
          this.#request = undefined;
        }
      }
    }, PREVIEW_DELAY);
  }

  /** −/+: from the current number (or 1 when the field holds none), kept within 1…MAX_SEATS. */
  private nudge(by: number): void {
    const current = Number.isFinite(this.seats) ? Math.floor(this.seats) : 1;
    this.setSeats(Math.min(MAX_SEATS, Math.max(1, current + by)));
  }

  private onInput(event: Event): void {
    const raw = (event.target as HTMLInputElement).value;
    this.setSeats(raw === '' ? NaN : Number(raw));
  }

  private async confirm(sub: Subscription, preview: ChangePreview): Promise<void> {
    const result = await this.attempt((key) => changeSubscription(this.http!, sub, { seats: preview.seats, proration_date: preview.proration_date }, key));
    if (!result) return;
    this.onSubscription?.(result.subscription);
    this.emit(
      new SubscriptionChangedEvent({
        subscriptionId: sub.id,
        change: 'seats',
        priceId: result.change.price_id,
        seats: result.change.seats,
        effectiveAt: result.change.effective_at,
        orderId: result.order_id,
      }),
    );
    await this.goTo('done');
  }

  private renderEdit(sub: Subscription): TemplateResult {
    const seats = this.seats;
    const valid = !this.inputError;
    let preview: TemplateResult | string = '';
    if (!valid) preview = '';
    else if (seats === sub.seats) preview = html`<p class="muted">${msg(str`You have ${sub.seats} seats. Choose how many you need.`)}</p>`;
    else if (this.preview) preview = renderChangePreview(this.preview, true);
    else if (this.previewing) preview = html`<div class="placeholder">${skeleton('100%', '4.5em')} ${skeleton('100%', '5em')}</div>`;
    return html`<div class="stack">
      <p class="muted">
        ${msg(str`${sub.product.name} is billed per seat: ${formatPrice(sub.price.unit_amount, sub.currency, sub.interval, sub.interval_count, true)}.`)}
      </p>
      <div class="field">
        <label class="label" for="seats">${msg('Seats')}</label>
        <div class="seats-row">
          <div class="stepper">
            <button type="button" aria-label=${msg('Remove a seat')} ?disabled=${!(seats > 1)} @click=${() => this.nudge(-1)}>−</button>
            <input
              id="seats"
              class="input"
              type="number"
              inputmode="numeric"
              min="1"
              max=${MAX_SEATS}
              step="1"
              data-autofocus
              .value=${Number.isNaN(seats) ? '' : String(seats)}
              aria-invalid=${valid ? 'false' : 'true'}
              aria-describedby="seats-error"
              @input=${this.onInput}
            />
            <button type="button" aria-label=${msg('Add a seat')} ?disabled=${seats >= MAX_SEATS} @click=${() => this.nudge(1)}>+</button>
          </div>
          ${valid && seats !== sub.seats ? html`<span class="muted">${msg(str`Now ${sub.seats}`)}</span>` : nothing}
        </div>
        <p id="seats-error" class="field-error" role="alert">${this.inputError}</p>
      </div>
      <div aria-live="polite" aria-busy=${this.previewing ? 'true' : 'false'}>${preview}</div>
    </div>`;
  }

  private renderDone(): TemplateResult {
    const preview = this.preview!;
    return html`<div class="done" role="status">
      ${doneMark}
      <p class="done__title">${msg(str`You now have ${preview.seats} seats`)}</p>
      <p>${preview.due_now ? msg('The payment went through. The receipt is in your orders.') : msg('Your new price applies from your next invoice.')}</p>
    </div>`;
  }

  override render(): TemplateResult | typeof nothing {
    const sub = this.subscription;
    if (!sub) return nothing;
    const busy = this.busy;
    const preview = this.preview;
    const footer =
      this.step === 'edit'
        ? html`<button slot="footer" type="button" class="button button--secondary" ?disabled=${busy} @click=${() => this.close()}>${msg('Cancel')}</button>
            <button
              slot="footer"
              type="button"
              class="button button--primary"
              ?disabled=${busy || !preview || preview.seats !== this.seats}
              aria-busy=${busy ? 'true' : 'false'}
              @click=${() => preview && this.confirm(sub, preview)}
            >
              ${busyLabel(busy, preview ? confirmLabel(preview, msg('Update seats')) : msg('Update seats'), msg('Updating…'))}
            </button>`
        : html`<button slot="footer" type="button" class="button button--primary" @click=${() => this.close()}>${msg('Done')}</button>`;
    return html`<customer-portal-dialog label=${this.step === 'edit' ? msg('Change seats') : msg('Seats updated')} ?open=${this.open} ?busy=${busy} @close=${this.onDialogClose}>
      <div class="stack">
        ${this.step === 'edit' ? this.renderEdit(sub) : this.renderDone()}
        <div class="errors" role="alert">${this.error ? alert('danger', this.error) : nothing}</div>
      </div>
      ${footer}
    </customer-portal-dialog>`;
  }
}

SeatsFlow.define('customer-portal-seats-flow');

declare global {
  interface HTMLElementTagNameMap {
    'customer-portal-seats-flow': SeatsFlow;
  }
}
