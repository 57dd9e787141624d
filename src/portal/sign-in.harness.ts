// Drives <customer-portal-sign-in> the way a customer does, for its tests and the portal's.
import { waitUntil } from '@open-wc/testing';
import { deep, maybeDeep, paste, textOf, type } from '../testing/dom.js';
import type { CustomerPortalSignIn } from './sign-in.js';

export class SignInHarness {
  constructor(readonly element: CustomerPortalSignIn) {}

  get root(): ShadowRoot {
    return this.element.shadowRoot!;
  }

  get title(): string {
    return textOf(this.root.querySelector('.title'));
  }

  get subtitle(): string {
    return textOf(this.root.querySelector('.subtitle'));
  }

  get emailInput(): HTMLInputElement | undefined {
    return maybeDeep<HTMLInputElement>(this.element, '#email');
  }

  get codeInput(): HTMLInputElement | undefined {
    return maybeDeep<HTMLInputElement>(this.element, '#code');
  }

  /** The text of the error region (role="alert"). */
  get alert(): string {
    return textOf(this.root.querySelector('[role="alert"]'));
  }

  /** The text of the status region (notices, "We sent a new code"). */
  get status(): string {
    return textOf(this.root.querySelector('[role="status"]'));
  }

  get fieldError(): string {
    return [...this.root.querySelectorAll('.field-error')].map((e) => textOf(e)).join(' ');
  }

  /** The button whose visible text matches, if any. */
  findButton(label: RegExp): HTMLButtonElement | undefined {
    return [...this.root.querySelectorAll('button')].find((b) => label.test(textOf(b)));
  }

  /** The button whose visible text matches. */
  button(label: RegExp): HTMLButtonElement {
    const found = this.findButton(label);
    if (!found) throw new Error(`No button matching ${label}; buttons: ${[...this.root.querySelectorAll('button')].map((b) => textOf(b)).join(' | ')}`);
    return found;
  }

  async submitEmail(email: string): Promise<void> {
    type(deep<HTMLInputElement>(this.element, '#email'), email);
    this.button(/Email me a code/).click();
  }

  /** Enters the email and waits for the code step. */
  async toCodeStep(email = 'alice@example.com'): Promise<HTMLInputElement> {
    await this.element.updateComplete;
    await this.submitEmail(email);
    await waitUntil(() => this.codeInput, 'the code step did not appear');
    return this.codeInput!;
  }

  typeCode(code: string): void {
    type(this.codeInput!, code);
  }

  pasteCode(text: string): void {
    paste(this.codeInput!, text);
  }

  async waitForAlert(text: string | RegExp): Promise<void> {
    const matches = () => (typeof text === 'string' ? this.alert.includes(text) : text.test(this.alert));
    await waitUntil(matches, `no alert ${text}; the alert says "${this.alert}"`);
  }
}
