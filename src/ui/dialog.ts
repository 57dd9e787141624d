import { msg } from '@lit/localize';
import { css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property } from 'lit/decorators.js';
import { tokens } from '../styles/tokens.js';
import { PortalElement } from './portal-element.js';

/** The element that has focus, looking through shadow roots. */
function activeElement(): HTMLElement | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active instanceof HTMLElement ? active : null;
}

const FOCUSABLE = 'input:not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled]), a[href]';

/**
 * @summary A modal dialog on the native `<dialog>` (`showModal()`): the page behind is inert,
 * so focus stays inside; Escape closes it unless it is `busy`; focus goes back to the element
 * that opened it; it is labelled by its title.
 *
 * @slot - The content.
 * @slot footer - The buttons, laid out at the end (stacked on phones).
 * @event close - The dialog closed (Escape, the close button, or `open = false`).
 * @csspart dialog - The dialog box.
 * @csspart title - The title.
 * @csspart body - The content area.
 * @csspart footer - The button row.
 * @internal Used inside the views only; not part of the public API.
 */
export class PortalDialog extends PortalElement {
  static override styles = [
    tokens,
    css`
      :host {
        display: contents;
      }
      dialog {
        width: min(560px, calc(100vw - 32px));
        max-height: calc(100dvh - 48px);
        padding: 0;
        border: 0;
        border-radius: calc(var(--_radius) * 1.75);
        background: var(--_surface);
        color: var(--_text);
        box-shadow:
          0 0 0 1px color-mix(in srgb, var(--_text) 8%, transparent),
          0 24px 48px -12px color-mix(in srgb, var(--_text) 30%, transparent);
        overflow: hidden;
      }
      dialog[open] {
        display: flex;
        flex-direction: column;
        animation: rise var(--_duration) ease-out;
      }
      dialog::backdrop {
        background: rgb(15 23 42 / 0.5);
      }
      @keyframes rise {
        from {
          opacity: 0;
          transform: translateY(8px) scale(0.98);
        }
      }
      .header {
        display: flex;
        align-items: flex-start;
        justify-content: space-between;
        gap: calc(var(--_space) * 2);
        padding: calc(var(--_space) * 2.5) calc(var(--_space) * 3) 0;
      }
      .title {
        margin: 0;
        padding-top: 4px;
        font-size: 1.125rem;
        font-weight: 650;
        letter-spacing: -0.01em;
        line-height: 1.35;
      }
      .close {
        display: grid;
        flex: none;
        place-items: center;
        width: 32px;
        height: 32px;
        margin-inline-end: -8px;
        border: 0;
        border-radius: var(--_radius);
        background: none;
        color: var(--_muted);
        cursor: pointer;
      }
      .close:hover:not(:disabled) {
        background: var(--_subtle);
        color: var(--_text);
      }
      .close:focus-visible {
        outline: 2px solid var(--_primary);
        outline-offset: 2px;
      }
      .close:disabled {
        cursor: not-allowed;
        opacity: 0.5;
      }
      .close svg {
        width: 18px;
        height: 18px;
        fill: none;
        stroke: currentColor;
        stroke-width: 2;
        stroke-linecap: round;
      }
      .body {
        flex: 1 1 auto;
        min-height: 0;
        padding: calc(var(--_space) * 2) calc(var(--_space) * 3) calc(var(--_space) * 2.5);
        overflow-y: auto;
      }
      .body:focus-visible {
        outline: 2px solid var(--_primary);
        outline-offset: -2px;
      }
      .footer {
        display: flex;
        flex-wrap: wrap;
        justify-content: flex-end;
        gap: var(--_space);
        padding: calc(var(--_space) * 2) calc(var(--_space) * 3);
        border-top: 1px solid var(--_border);
        background: color-mix(in srgb, var(--_subtle) 55%, var(--_surface));
      }
      @media (max-width: 520px) {
        dialog {
          width: 100vw;
          max-width: 100vw;
          max-height: calc(100dvh - 24px);
          margin: auto 0 0;
          border-radius: calc(var(--_radius) * 2) calc(var(--_radius) * 2) 0 0;
        }
        .header {
          padding-inline: calc(var(--_space) * 2);
        }
        .body {
          padding-inline: calc(var(--_space) * 2);
        }
        .footer {
          flex-direction: column-reverse;
          padding: calc(var(--_space) * 1.5) calc(var(--_space) * 2) calc(var(--_space) * 2);
        }
        .footer ::slotted(*) {
          width: 100%;
        }
      }
      @media (prefers-reduced-motion: reduce) {
        dialog[open] {
          animation: none;
        }
      }
    `,
  ];

  private get dialog(): HTMLDialogElement {
    return this.renderRoot.querySelector('dialog')!;
  }

  /** The title, which also labels the dialog. */
  @property() label = '';

  /** Shown as a modal while true. */
  @property({ type: Boolean, reflect: true }) open = false;

  /** Without the button row (the content brings its own buttons). */
  @property({ type: Boolean, attribute: 'no-footer' }) noFooter = false;

  /** While busy (a request is running), Escape and the close button do nothing. */
  @property({ type: Boolean }) busy = false;

  #opener: HTMLElement | null = null;

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('open')) return;
    if (this.open && !this.dialog.open) {
      this.#opener = activeElement();
      this.dialog.showModal();
      this.focusFirst();
    } else if (!this.open && this.dialog.open) {
      // Closed by its owner (open = false).
      this.dialog.close();
      this.#restoreFocus();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#restoreFocus();
  }

  /**
   * Focuses the content's `[data-autofocus]` element, else its first control, else the close
   * button. Call it after changing the content (a dialog's next step).
   */
  focusFirst(): void {
    const target =
      this.querySelector<HTMLElement>('[data-autofocus]') ?? this.querySelector<HTMLElement>(FOCUSABLE) ?? this.renderRoot.querySelector<HTMLElement>('.close');
    target?.focus();
  }

  /** Closes the dialog unless it is busy. */
  requestClose(): void {
    if (!this.busy) this.#close();
  }

  private onCancel(event: Event): void {
    // Escape: ignored while a request is running, so its answer is not lost with the dialog.
    event.preventDefault();
    this.requestClose();
  }

  /**
   * Closes now, not when the native `close` event arrives (a task later), so a dialog
   * opened again straight away is not closed by the late event.
   */
  #close(): void {
    if (!this.open) return;
    this.open = false;
    this.dialog.close();
    this.#restoreFocus();
    this.dispatchEvent(new Event('close'));
  }

  /** The native dialog closed by itself (a form with method="dialog"). */
  private onClose(): void {
    if (!this.dialog.open) this.#close();
  }

  #restoreFocus(): void {
    const opener = this.#opener;
    this.#opener = null;
    if (opener?.isConnected) opener.focus();
  }

  override render(): TemplateResult {
    // The body is focusable: long content scrolls there, and a keyboard must reach it to scroll.
    return html`<dialog part="dialog" aria-labelledby="title" @cancel=${this.onCancel} @close=${this.onClose}>
      <div class="header">
        <h2 id="title" class="title" part="title">${this.label}</h2>
        <button type="button" class="close" aria-label=${msg('Close')} ?disabled=${this.busy} @click=${this.requestClose}>
          <svg viewBox="0 0 20 20" aria-hidden="true"><path d="M5 5l10 10M15 5 5 15" /></svg>
        </button>
      </div>
      <div class="body" part="body" tabindex="0"><slot></slot></div>
      ${this.noFooter ? nothing : html`<div class="footer" part="footer"><slot name="footer"></slot></div>`}
    </dialog>`;
  }
}

PortalDialog.define('customer-portal-dialog');

declare global {
  interface HTMLElementTagNameMap {
    'customer-portal-dialog': PortalDialog;
  }
}
