import { css, html, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { ApiError } from '../../api/errors.js';
import type { Http } from '../../api/http.js';
import { ActionKey } from '../../api/idempotency.js';
import { tokens } from '../../styles/tokens.js';
import { alertStyles } from '../../ui/alert.js';
import { badgeStyles } from '../../ui/badge.js';
import { buttonStyles } from '../../ui/button.js';
import '../../ui/dialog.js';
import type { PortalDialog } from '../../ui/dialog.js';
import { fieldStyles } from '../../ui/field.styles.js';
import { PortalElement } from '../../ui/portal-element.js';
import { skeletonStyles } from '../../ui/skeleton.js';
import { visuallyHidden } from '../../ui/visually-hidden.styles.js';
import { totalsStyles } from './totals.js';
import { viewStyles } from './view.styles.js';

/**
 * A dialog that walks the customer through one action (cancel a subscription, change its
 * plan, edit invoice details…): steps, a busy state, the server's message when it fails, and
 * an Idempotency-Key per action so a retry after a lost answer never acts twice.
 *
 * @event close - The dialog closed.
 */
export class FlowElement<Step extends string = string> extends PortalElement {
  static override styles = [tokens, buttonStyles, fieldStyles, alertStyles, badgeStyles, skeletonStyles, visuallyHidden, viewStyles, totalsStyles];

  @property({ attribute: false }) http?: Http;
  @property({ type: Boolean }) open = false;

  @state() protected step!: Step;
  @state() protected busy = false;
  /** Why the last request failed, in the server's words. */
  @state() protected error = '';

  protected get dialog(): PortalDialog | null {
    return this.renderRoot.querySelector('customer-portal-dialog');
  }

  protected key = new ActionKey();

  /** The step a new run of the flow starts at. */
  protected firstStep(): Step {
    throw new Error('A flow names its first step.');
  }

  /** Called when the dialog opens: start from the beginning. */
  protected reset(): void {
    this.step = this.firstStep();
    this.busy = false;
    this.error = '';
    this.key.reset();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (this.step === undefined || (changed.has('open') && this.open)) this.reset();
  }

  /** Moves to a step and puts focus on its first control. */
  protected async goTo(step: Step): Promise<void> {
    this.step = step;
    this.error = '';
    await this.updateComplete;
    this.dialog?.focusFirst();
  }

  /**
   * Runs one request of the action: busy meanwhile, the error shown if it fails, unless the
   * flow `recover`s from it.
   */
  protected async attempt<T>(call: (key: string) => Promise<T>): Promise<T | undefined> {
    this.busy = true;
    this.error = '';
    try {
      const result = await call(this.key.value);
      this.key.settle();
      return result;
    } catch (error) {
      this.key.settle(error);
      if (await this.recover(error)) return undefined;
      this.error = (error as ApiError).message;
      await this.updateComplete;
      this.dialog?.focusFirst();
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  /**
   * A failure the flow deals with itself rather than showing the server's message (still
   * busy meanwhile); true when it did. SubscriptionFlow: the subscription changed since.
   */
  protected recover(_error: unknown): Promise<boolean> {
    return Promise.resolve(false);
  }

  /** Closes the dialog, unless a request is running. */
  protected close(): void {
    this.dialog?.requestClose();
  }

  /** Once the action is done: the dialog's title then ("Plan changed", "Seats updated"), which the view shows as a toast. */
  get completed(): string {
    return this.step === 'done' ? (this.dialog?.getAttribute('label') ?? '') : '';
  }

  protected onDialogClose(): void {
    this.open = false;
    this.dispatchEvent(new Event('close'));
  }
}

/** Choices as cards (radio inputs), summaries, steppers: what the flows' content shares. */
export const flowStyles = css`
  fieldset {
    display: grid;
    gap: var(--_space);
    min-width: 0;
    margin: 0;
    padding: 0;
    border: 0;
  }
  legend {
    margin-bottom: var(--_space);
    padding: 0;
    font-size: 0.9375rem;
    font-weight: 600;
  }
  .choice {
    position: relative;
    display: grid;
    grid-template-columns: auto 1fr;
    align-items: start;
    gap: 2px calc(var(--_space) * 1.5);
    padding: calc(var(--_space) * 1.5) calc(var(--_space) * 2);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    cursor: pointer;
    transition:
      border-color var(--_duration),
      background-color var(--_duration),
      box-shadow var(--_duration);
  }
  .choice:hover {
    border-color: var(--_border-strong);
  }
  .choice:has(input:checked) {
    border-color: var(--_primary);
    background: color-mix(in srgb, var(--_primary) 5%, var(--_surface));
    box-shadow: 0 0 0 1px var(--_primary);
  }
  .choice:has(input:focus-visible) {
    outline: 2px solid var(--_primary);
    outline-offset: 2px;
  }
  .choice:has(input:disabled) {
    cursor: default;
    background: var(--_subtle);
  }
  .choice input {
    width: 16px;
    height: 16px;
    margin: 3px 0 0;
    accent-color: var(--_primary);
  }
  .choice__title {
    font-weight: 600;
  }
  .choice__text {
    grid-column: 2;
    color: var(--_muted);
    font-size: 0.875rem;
  }
  .choice--compact {
    padding-block: 10px;
  }
  textarea.input {
    min-height: 88px;
    padding-block: 10px;
    resize: vertical;
  }
  .facts {
    display: grid;
    gap: 10px;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .facts li {
    display: grid;
    grid-template-columns: 20px 1fr;
    gap: 10px;
    font-size: 0.9375rem;
  }
  .facts svg {
    width: 20px;
    height: 20px;
    fill: none;
    stroke: var(--_muted);
    stroke-width: 1.8;
    stroke-linecap: round;
    stroke-linejoin: round;
  }
  .summary {
    display: grid;
    gap: 6px;
    margin: 0;
    padding: calc(var(--_space) * 1.5) calc(var(--_space) * 2);
    border-radius: var(--_radius);
    background: var(--_subtle);
    font-size: 0.875rem;
  }
  .summary div {
    display: flex;
    justify-content: space-between;
    gap: calc(var(--_space) * 2);
  }
  .summary dt {
    color: var(--_muted);
  }
  .summary dd {
    margin: 0;
    font-weight: 550;
    text-align: end;
  }
  .done {
    display: grid;
    justify-items: center;
    gap: var(--_space);
    padding: calc(var(--_space) * 2) 0 var(--_space);
    text-align: center;
  }
  .done__icon {
    width: 48px;
    height: 48px;
    padding: 12px;
    border-radius: 50%;
    background: color-mix(in srgb, var(--_success) 12%, var(--_surface));
    fill: none;
    stroke: var(--_success);
    stroke-width: 2.2;
    stroke-linecap: round;
    stroke-linejoin: round;
  }
  .done__title {
    font-size: 1.0625rem;
    font-weight: 650;
  }
  .done p:not(.done__title) {
    max-width: 40ch;
    color: var(--_muted);
  }
  .errors:empty {
    display: none;
  }
  .note {
    color: var(--_muted);
    font-size: 0.8125rem;
  }
`;

/** The tick at the top of a flow's last step. */
export const doneMark = html`<svg class="done__icon" viewBox="0 0 24 24" aria-hidden="true"><path d="m5 12.5 4.5 4.5L19 7.5" /></svg>`;
