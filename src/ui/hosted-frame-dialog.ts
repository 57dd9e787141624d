import { msg } from '@lit/localize';
import { css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { ApiError } from '../api/errors.js';
import type { Http } from '../api/http.js';
import type { FrameMessage } from '../hosted/frame.js';
import { getLocale } from '../i18n/localize.js';
import type { HostedSession } from '../schemas/payments.js';
import { tokens } from '../styles/tokens.js';
import { alert, alertStyles } from './alert.js';
import { buttonStyles } from './button.js';
import './dialog.js';
import type { PortalDialog } from './dialog.js';
import { PortalElement } from './portal-element.js';
import { skeleton, skeletonStyles } from './skeleton.js';

/** What one hosted-frame dialog shows, in the language being shown. */
export interface HostedFrame {
  /** The dialog's title. */
  title: string;
  /** The iframe's accessible name. */
  frame: string;
  /** Read out while the page loads. */
  loading: string;
  /** The skeleton's bars, `[width, height?]`, shaped like the page that comes. */
  bars: Array<[string, string?]>;
}

/**
 * @summary The modal around a page the session server hosts (an iframe): the card form
 * (`/hosted/payment-method`) and the payment's confirmation (`/hosted/confirm-payment`). Each
 * time it opens it asks for a new single-use address (`openSession`), shows a skeleton until
 * the page says it is ready, then the page at the height it reports; closes on the page's
 * `cp:cancel` (Escape or its own Close inside the frame, where the key never reaches the
 * dialog); shows the page's or the request's failure with "Try again" (a new page). It listens
 * to the protocol of src/hosted/frame.ts (`FrameMessage`) and only to messages from the
 * server's origin and from that iframe's window. The `<customer-portal-dialog>` it draws makes
 * it modal and gives focus back to what opened it.
 *
 * A subclass names its page (`hostedFrame`), asks for its address (`openSession`) and says what
 * the page's success means (`succeeded`).
 *
 * @event close - The dialog closed.
 * @internal Used inside the views only; not part of the public API.
 */
export abstract class HostedFrameDialog<Done extends object> extends PortalElement {
  static override styles = [
    tokens,
    buttonStyles,
    alertStyles,
    skeletonStyles,
    css`
      iframe {
        display: block;
        width: 100%;
        border: 0;
        transition: height var(--_duration);
      }
      .loading {
        display: grid;
        gap: 12px;
      }
    `,
  ];

  @property({ attribute: false }) http?: Http;
  @property({ type: Boolean }) open = false;

  @state() private session?: HostedSession;
  @state() private ready = false;
  @state() private height = 240;
  @state() private error = '';
  /** The dialog's theme (light or dark, the portal's), given to the page so it matches. */
  @state() private scheme: 'light' | 'dark' = 'light';

  /** Counts the addresses asked for: an answer for a dialog closed or restarted since is dropped. */
  #attempt = 0;
  #starting = false;
  #closing?: ReturnType<typeof setTimeout>;

  /** The page's title, its frame's name, its loading words and skeleton. */
  protected abstract hostedFrame(): HostedFrame;
  /** A new single-use address for the page. */
  protected abstract openSession(http: Http): Promise<HostedSession>;
  /** The page's `cp:success`: tell the view, then `close()`. */
  protected abstract succeeded(done: Done): void;

  #onMessage = (event: MessageEvent): void => {
    const frame = this.renderRoot.querySelector('iframe');
    // Only the hosted page, from the server that served it: never another frame or window.
    if (!this.session || event.origin !== this.session.server_origin || !frame || event.source !== frame.contentWindow) return;
    const data = event.data as FrameMessage<Done>;
    if (data.type === 'cp:ready') this.ready = true;
    else if (data.type === 'cp:resize') this.height = Math.min(Math.max(Number(data.height) || 0, 120), 2000);
    else if (data.type === 'cp:cancel') this.close();
    else if (data.type === 'cp:error') this.error = String(data.message);
    else if (data.type === 'cp:success') this.succeeded(data);
  };

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('message', this.#onMessage);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('message', this.#onMessage);
    clearTimeout(this.#closing);
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    if (this.open && !this.session && !this.error && !this.#starting) void this.start();
  }

  /** A new single-use page each time: the previous one's token was spent. */
  private async start(): Promise<void> {
    const attempt = ++this.#attempt;
    this.#starting = true;
    this.session = undefined;
    this.ready = false;
    this.error = '';
    this.scheme = getComputedStyle(this).colorScheme.includes('dark') ? 'dark' : 'light';
    try {
      const session = await this.openSession(this.http!);
      if (attempt === this.#attempt) this.session = session;
    } catch (error) {
      if (attempt === this.#attempt) this.error = (error as ApiError).message;
    } finally {
      if (attempt === this.#attempt) this.#starting = false;
    }
  }

  get #dialog(): PortalDialog | null {
    return this.renderRoot.querySelector('customer-portal-dialog');
  }

  /** "Try again": the button goes with the error, so focus stays in the dialog (its close button until the page is ready). */
  private async retry(): Promise<void> {
    void this.start();
    await this.updateComplete;
    this.#dialog?.focusFirst();
  }

  /** Closes the dialog, `after` milliseconds from now if given (so the page's "confirmed" is seen). */
  protected close(after = 0): void {
    clearTimeout(this.#closing);
    if (after) this.#closing = setTimeout(() => this.close(), after);
    else this.#dialog?.requestClose();
  }

  private onClose(): void {
    // Whatever is still coming (an address, a late close) was for the dialog just closed.
    this.#attempt++;
    this.#starting = false;
    clearTimeout(this.#closing);
    this.open = false;
    this.session = undefined;
    this.error = '';
    this.dispatchEvent(new Event('close'));
  }

  override render(): TemplateResult {
    const { title, frame, loading, bars } = this.hostedFrame();
    const session = this.session;
    // The error goes into a region that is there from the start, so screen readers announce it.
    return html`<customer-portal-dialog label=${title} no-footer ?open=${this.open} @close=${this.onClose}>
      <div role="alert">
        ${
          this.error
            ? alert(
                'danger',
                this.error,
                html`<button type="button" class="button button--secondary button--small" @click=${this.retry}>${msg('Try again')}</button>`,
              )
            : nothing
        }
      </div>
      ${
        !this.ready && !this.error
          ? html`<div class="loading" role="status" aria-label=${loading}>${bars.map(([width, height]) => skeleton(width, height))}</div>`
          : nothing
      }
      ${
        session && !this.error
          ? html`<iframe
            src=${`${session.url}&locale=${getLocale()}&theme=${this.scheme}`}
            title=${frame}
            style="height:${this.ready ? this.height : 0}px;color-scheme:${this.scheme}"
            allow="payment"
            referrerpolicy="no-referrer"
          ></iframe>`
          : nothing
      }
    </customer-portal-dialog>`;
  }
}
