// A harness for the portal's views in tests: what a customer reads and clicks, looking
// into the view's shadow root and its open dialog.
import { waitUntil } from '@open-wc/testing';
import { buttonIn, textOf } from './dom.js';

export class ViewHarness<E extends HTMLElement = HTMLElement> {
  constructor(readonly element: E) {}

  get root(): ShadowRoot {
    return this.element.shadowRoot!;
  }

  /** The view's text, as read on screen. */
  get text(): string {
    return textOf(this.element);
  }

  /** What screen readers were last told (the view's live region). */
  get announcement(): string {
    return textOf(this.root.querySelector('div[role="status"].visually-hidden'));
  }

  /** The toast shown on screen (in the top layer), as read; empty when none shows. */
  get toast(): string {
    const box = this.root.querySelector('customer-portal-toast')?.shadowRoot?.querySelector('.toast');
    return box?.matches(':popover-open') ? textOf(box) : '';
  }

  button(label: RegExp, root: ParentNode = this.root): HTMLButtonElement {
    return buttonIn(root, label);
  }

  /** The open dialog (a confirmation, a flow's) in the view; throws when none is open. */
  get dialog(): HTMLElement {
    const dialog = this.root.querySelector<HTMLElement>('customer-portal-dialog[open]');
    if (!dialog) throw new Error(`No open dialog in "${this.text}"`);
    return dialog;
  }

  /** The open dialog's title, content and buttons as read on screen; empty when none is open. */
  get dialogText(): string {
    const dialog = this.root.querySelector<HTMLElement>('customer-portal-dialog[open]');
    if (!dialog) return '';
    return `${textOf(dialog.shadowRoot!.querySelector('h2'))} ${[...dialog.children].map((c) => textOf(c)).join(' ')}`;
  }

  dialogButton(label: RegExp): HTMLButtonElement {
    return buttonIn(this.dialog, label);
  }

  async until(check: () => unknown, what: string): Promise<void> {
    await waitUntil(check, what, { timeout: 3000 });
  }

  /** Waits until the text includes `text`. */
  async shows(text: string): Promise<void> {
    await waitUntil(() => this.text.includes(text), `"${text}" not in "${this.text}"`, { timeout: 3000 });
  }
}
