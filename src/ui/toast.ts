import { msg } from '@lit/localize';
import { css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { tokens } from '../styles/tokens.js';
import { PortalElement } from './portal-element.js';

/** How long a toast stays when nobody points at it or focuses it. */
const SHOWN_MS = 6000;

/**
 * @summary The visible side of a view's announcements ("Card removed.", "Seat revoked."): a
 * small message at the bottom end of the window that goes away by itself after a few seconds,
 * stays while the pointer is over it or focus is in it, and closes with its button or Escape.
 * It is not a live region: the view's own (visually hidden) status region reads the same
 * text out, once. Shown in the top layer (a manual popover), so no container clips it and it
 * sits above the page without taking focus; it is in the tab order where the view renders it.
 *
 * @csspart toast - The message box.
 * @internal Used inside the views only; not part of the public API.
 */
export class PortalToast extends PortalElement {
  static override styles = [
    tokens,
    css`
      :host {
        display: contents;
      }
      .toast {
        /* The popover's UA styles centre it and draw a border: a corner, a card. */
        position: fixed;
        inset: auto;
        inset-block-end: calc(var(--_space) * 2);
        inset-inline-end: calc(var(--_space) * 2);
        max-width: min(420px, calc(100vw - var(--_space) * 4));
        margin: 0;
        padding-block: 8px;
        padding-inline: 14px 8px;
        display: flex;
        align-items: center;
        gap: 10px;
        overflow: visible;
        border: 0;
        border-radius: var(--_radius);
        /* Inverse of the surface, so it stands out from the cards in both themes. */
        background: var(--_text);
        color: var(--_surface);
        box-shadow: 0 12px 28px -8px color-mix(in srgb, #000 45%, transparent);
        font-size: 0.875rem;
        animation: toast-in var(--_duration) ease-out;
      }
      .toast:not(:popover-open):not(.toast--fallback) {
        display: none;
      }
      @keyframes toast-in {
        from {
          opacity: 0;
          transform: translateY(8px);
        }
      }
      p {
        margin: 0;
        min-width: 0;
        overflow-wrap: anywhere;
      }
      .close {
        flex: none;
        display: grid;
        place-items: center;
        width: 32px;
        height: 32px;
        padding: 0;
        border: 0;
        border-radius: calc(var(--_radius) * 0.75);
        background: none;
        color: inherit;
        cursor: pointer;
      }
      .close:hover {
        background: color-mix(in srgb, var(--_surface) 16%, transparent);
      }
      .close:focus-visible {
        outline: 2px solid var(--_surface);
        outline-offset: -2px;
      }
      .close svg {
        width: 16px;
        height: 16px;
        fill: none;
        stroke: currentColor;
        stroke-width: 2;
        stroke-linecap: round;
      }
      @media (max-width: 480px) {
        .toast {
          inset-inline: calc(var(--_space) * 1.5);
          inset-block-end: calc(var(--_space) * 1.5);
          max-width: none;
        }
      }
    `,
  ];

  /** The text to show; a new `serial` shows it again even when the text is the same. */
  @property() message = '';
  @property({ type: Number }) serial = 0;

  @state() private shown = '';

  #timer?: ReturnType<typeof setTimeout>;
  #left = SHOWN_MS;
  #since = 0;
  #held = false;

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if ((changed.has('serial') || changed.has('message')) && this.message) {
      this.shown = this.message;
      this.#left = SHOWN_MS;
      if (!this.#held) this.#run();
    } else if (changed.has('message') && !this.message) {
      this.dismiss();
    }
  }

  protected override updated(): void {
    const box = this.renderRoot.querySelector<HTMLElement>('.toast');
    if (!box?.isConnected) return;
    // The top layer, where supported; otherwise it stays fixed in place (.toast--fallback).
    if (typeof box.showPopover === 'function') {
      if (!box.matches(':popover-open')) box.showPopover();
    } else box.classList.add('toast--fallback');
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#timer);
  }

  /** Hides the toast now. */
  dismiss(): void {
    clearTimeout(this.#timer);
    this.#held = false;
    this.shown = '';
  }

  #run(): void {
    clearTimeout(this.#timer);
    this.#since = Date.now();
    this.#timer = setTimeout(() => this.dismiss(), this.#left);
  }

  /** Pointer over it or focus in it: it stays until they leave. */
  #hold = (): void => {
    if (this.#held || !this.shown) return;
    this.#held = true;
    clearTimeout(this.#timer);
    this.#left = Math.max(this.#left - (Date.now() - this.#since), 2000);
  };

  #release = (): void => {
    const box = this.renderRoot.querySelector('.toast');
    if (!this.#held || box?.matches(':hover, :focus-within')) return;
    this.#held = false;
    this.#run();
  };

  #onKey = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      this.dismiss();
    }
  };

  override render(): TemplateResult | typeof nothing {
    if (!this.shown) return nothing;
    return html`<div
      class="toast"
      part="toast"
      popover="manual"
      @mouseenter=${this.#hold}
      @mouseleave=${this.#release}
      @focusin=${this.#hold}
      @focusout=${() => setTimeout(this.#release)}
      @keydown=${this.#onKey}
    >
      <p>${this.shown}</p>
      <button type="button" class="close" aria-label=${msg('Dismiss')} @click=${() => this.dismiss()}>
        <svg viewBox="0 0 16 16" aria-hidden="true"><path d="m4 4 8 8M12 4l-8 8" /></svg>
      </button>
    </div>`;
  }
}

PortalToast.define('customer-portal-toast');

declare global {
  interface HTMLElementTagNameMap {
    'customer-portal-toast': PortalToast;
  }
}
