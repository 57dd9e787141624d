import { msg } from '@lit/localize';
import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import type { ApiError } from '../../api/errors.js';
import { ActionKey } from '../../api/idempotency.js';
import { alert } from '../../ui/alert.js';
import { busyLabel } from '../../ui/button.js';
import '../../ui/dialog.js';
import type { PortalDialog } from '../../ui/dialog.js';

/** What a confirmation asks and what it does once confirmed. */
export interface Confirmation {
  title: string;
  text: string;
  /** The confirm button: "Remove card", "Rotate key". */
  action: string;
  /** The same while it runs: "Removing…". */
  working: string;
  /** The confirm button's look: `danger` (the default) for what cannot be undone, else `primary`. */
  tone?: 'danger' | 'primary';
  /** The button that closes without acting: "Cancel" unless said. */
  dismiss?: string;
  /** Runs the action with its Idempotency-Key; a rejection is shown in the dialog. */
  run: (key: string) => Promise<unknown>;
}

/**
 * A confirmation before a destructive action (remove a card, rotate a key, revoke a seat):
 * a modal dialog that stays open while the request runs and shows the server's refusal in
 * its own words, so the customer can cancel or try again.
 */
export class Confirm implements ReactiveController {
  #current?: Confirmation;
  #open = false;
  #busy = false;
  #error = '';
  #key = new ActionKey();

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  ask(confirmation: Confirmation): void {
    this.#current = confirmation;
    this.#open = true;
    this.#error = '';
    this.#key.reset();
    this.host.requestUpdate();
  }

  #close = (): void => {
    this.#open = false;
    this.host.requestUpdate();
  };

  async #confirm(confirmation: Confirmation): Promise<void> {
    this.#busy = true;
    this.#error = '';
    this.host.requestUpdate();
    try {
      await confirmation.run(this.#key.value);
      this.#key.settle();
      this.#open = false;
    } catch (error) {
      this.#key.settle(error);
      this.#error = (error as ApiError).message;
    } finally {
      this.#busy = false;
      this.host.requestUpdate();
    }
    if (!this.#open) await this.#keepFocus();
  }

  /**
   * The button that opened the dialog may have gone with what it acted on (a removed card, a
   * revoked seat): then focus goes to the view's heading rather than to the page.
   */
  async #keepFocus(): Promise<void> {
    const host = this.host as ReactiveControllerHost & HTMLElement;
    await host.updateComplete;
    const root = host.shadowRoot;
    // The dialog closes (and gives focus back, if it can) in its own update.
    await root?.querySelector<PortalDialog>('customer-portal-dialog')?.updateComplete;
    if (!root || root.activeElement) return;
    const heading = root.querySelector<HTMLElement>('h2');
    heading?.setAttribute('tabindex', '-1');
    heading?.focus();
  }

  render(): TemplateResult | typeof nothing {
    const c = this.#current;
    if (!c) return nothing;
    const busy = this.#busy;
    return html`<customer-portal-dialog label=${c.title} ?open=${this.#open} ?busy=${busy} @close=${this.#close}>
      <div class="stack">
        <p>${c.text}</p>
        <div role="alert">${this.#error ? alert('danger', this.#error) : nothing}</div>
      </div>
      <button slot="footer" type="button" class="button button--secondary" ?disabled=${busy} @click=${this.#close}>${c.dismiss ?? msg('Cancel')}</button>
      <button slot="footer" type="button" class="button button--${c.tone ?? 'danger'}" ?disabled=${busy} aria-busy=${busy ? 'true' : 'false'} @click=${() => this.#confirm(c)}>
        ${busyLabel(busy, c.action, c.working)}
      </button>
    </customer-portal-dialog>`;
  }
}

/**
 * Copies `text`; says so through `announce`. Where the clipboard is not allowed, the text is
 * selected on the page (`select`), so the customer can copy it with their keyboard.
 */
export async function copyText(text: string, announce: (message: string) => void, select?: Element | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    announce(msg('Copied to the clipboard.'));
    return true;
  } catch {
    if (select) getSelection()?.selectAllChildren(select);
    announce(msg('Could not copy. The text is selected: press Ctrl+C or ⌘C to copy it.'));
    return false;
  }
}
