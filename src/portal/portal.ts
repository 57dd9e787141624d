import { msg, str } from '@lit/localize';
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { exchangeToken } from '../api/auth.js';
import type { Connection } from '../api/connection.js';
import type { ApiError } from '../api/errors.js';
import type { BillingStatus } from '../api/http.js';
import type { SessionState } from '../api/session.js';
import { ConnectionProvider } from '../context/connection.js';
import type { NavigateEvent } from '../events.js';
import { SignedInEvent } from '../session-events.js';
import type { PublicOrganization, SectionId } from '../schemas/organization.js';
import { applyBranding } from '../styles/branding.js';
import { tokens } from '../styles/tokens.js';
import { alert, alertStyles } from '../ui/alert.js';
import { buttonStyles } from '../ui/button.js';
import { ConnectedElement } from '../ui/connected-element.js';
import { skeleton, skeletonStyles } from '../ui/skeleton.js';
import { ensureDefined, lazy } from '../views/lazy.js';
import { findView, views, type ViewDefinition } from '../views/registry.js';
import { returnUrl, takeTokenFromUrl, type UrlToken } from './page-url.js';
import { readRoute, routingMode, writeRoute, type RoutingMode } from './routes.js';
import { portalStyles } from './portal.styles.js';

/** What a seat holder without billing of their own is shown (see #availableViews). */
const SEAT_SECTIONS: ReadonlySet<SectionId> = new Set(['overview', 'benefits', 'account']);

/**
 * @summary The customer portal. Signs the customer in (email code, a pre-authenticated link's
 * `?cp_token=`, or a seat invitation's `?cp_seat=`, which claims the seat), then shows one section (`view`) or all of them with navigation.
 *
 * @event cp-signed-in - The customer signed in (also through a pre-authenticated link).
 * @event cp-signed-out - The session ended; `detail.reason` is `sign-out` or `expired`.
 * @event cp-subscription-canceled - From the subscriptions: a subscription was canceled.
 * @event cp-subscription-uncanceled - From the subscriptions: a cancellation was taken back.
 * @event cp-subscription-changed - From the subscriptions: plan or seats changed, paused, resumed, or a retention offer was taken.
 * @event cp-invoice-downloaded - From the orders: an invoice or receipt PDF was downloaded.
 * @event cp-payment-method-updated - From the settings: a card was added, made the default or removed.
 * @event cp-seat-assign - From the seats, before a seat is assigned; cancel it to invite the person your own way.
 * @event cp-seat-changed - From the seats: a seat was assigned, its invitation sent again, or it was revoked.
 * @event cp-key-rotated - From the benefits: a license or API key was replaced.
 * @event cp-navigate - A section asked for another ("View all orders", the past-due banner's button); the portal shows it and cancels the event.
 * @csspart base - The portal's outer box.
 * @csspart header - The organization's logo and name.
 * @csspart logo - The organization's logo.
 * @csspart title - The organization's name.
 * @csspart back-link - "Back to …", when the portal was opened from the merchant's site.
 * @csspart nav - The section navigation.
 * @csspart tab - A navigation item.
 * @csspart body - The current section.
 * @csspart sign-in - Signed out: the sign-in card.
 * @csspart sign-in-form - Signed out: the sign-in's form.
 * @csspart view - The current section's own `base`; with the parts below, exported from the section shown.
 * @csspart heading - The section's title.
 * @csspart card - Each card of the section.
 * @csspart balance - A wallet balance.
 * @csspart chart - A usage chart.
 * @csspart past-due - The banner shown while a payment has failed.
 * @csspart alert - Error and success messages of the section.
 * @csspart badge - Status badges of the section.
 */
export class CustomerPortal extends ConnectedElement {
  static override styles = [tokens, buttonStyles, alertStyles, skeletonStyles, portalStyles];

  /** Show only this section (e.g. `account`), without header and navigation. */
  @property() view = '';

  /**
   * Where the section and detail shown live in the page's address: `hash` (`#cp/orders/ord_1`,
   * the default for the full portal), `query` (`?cp_view=orders/ord_1`) or `none` (the default
   * with `view`). See docs/elements.md.
   */
  @property() routing?: RoutingMode;

  /** The section shown in the full portal; the first one available when unset. */
  @state() private section?: SectionId;
  /** One thing in the section (an order id, `payment-method`), from the address or a view. */
  @state() private detail?: string;
  @state() private exchanging = false;
  /** Why a pre-authenticated link did not sign the customer in. */
  @state() private linkError = '';
  @state() private organization?: PublicOrganization;
  @state() private organizationFailed = false;
  @state() private chunkError?: ViewDefinition;

  /** A seat holder without billing of their own (the `CP-Portal-Scope` header of the last answer). */
  @state() private seatOnly = false;
  /** Whether an answer has said which sections apply (until then the tabs are placeholders, so a seat holder never sees the billing tabs flash). */
  @state() private scopeKnown = false;

  #provider = new ConnectionProvider(this);
  #billing?: BillingStatus;
  #onBilling = (): void => {
    this.seatOnly = this.#billing?.seatOnly === true;
    this.scopeKnown = this.#billing?.seatOnly !== undefined;
  };
  #token?: UrlToken;
  /** The view elements of the current session, kept while switching sections. */
  #elements = new Map<string, HTMLElement>();
  #hadFocus = false;

  override connectedCallback(): void {
    // Before anything else: the token must leave the address bar even if nothing else works.
    this.#token ??= takeTokenFromUrl();
    super.connectedCallback();
    this.#followAddress();
    window.addEventListener('popstate', this.#followAddress);
    window.addEventListener('hashchange', this.#followAddress);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#billing?.removeEventListener('change', this.#onBilling);
    this.#billing = undefined;
    window.removeEventListener('popstate', this.#followAddress);
    window.removeEventListener('hashchange', this.#followAddress);
  }

  #mode(): RoutingMode {
    return routingMode(this.routing, this.view ? 'none' : 'hash');
  }

  /** Back, Forward, a link or a reload: show what the address says. */
  #followAddress = (): void => {
    const mode = this.#mode();
    if (mode === 'none') return;
    const route = readRoute(mode);
    this.section = route?.view as SectionId | undefined;
    this.detail = route?.detail;
  };

  protected override connectionChanged(connection: Connection | undefined): void {
    this.organization = undefined;
    this.organizationFailed = false;
    this.#elements.clear();
    applyBranding(this, undefined);
    this.#billing?.removeEventListener('change', this.#onBilling);
    this.#billing = connection?.http.billing;
    this.#billing?.addEventListener('change', this.#onBilling);
    this.#onBilling();
    if (!connection) return;
    this.#provider.setValue(connection);
    const token = this.#token;
    this.#token = undefined;
    if (token) void this.#exchange(connection, token);
  }

  protected override sessionChanged(previous: SessionState): void {
    super.sessionChanged(previous);
    if (this.session.status === 'signed-in') this.linkError = '';
    // Another customer, or none: never show the previous customer's data.
    if (this.session.status !== 'signed-in' || previous.status !== 'signed-in' || previous.token !== this.session.token) {
      this.#elements.clear();
      this.seatOnly = false;
      this.scopeKnown = false;
    }
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    this.#hadFocus = this.matches(':focus-within');
    const signedIn = this.session.status === 'signed-in';
    // The organization is needed for sign-in and for the navigation; one view alone does without.
    if (this.connection && (!signedIn || !this.view)) this.#loadOrganization(this.connection);
    const active = signedIn ? (this.view ? findView(this.view) : this.#activeView()) : undefined;
    if (active) this.#loadChunk(active);
    if (active && !this.view && this.organization && customElements.get(active.tag)) void this.updateComplete.then(() => this.#prefetch());
  }

  #prefetched = false;

  /**
   * The full portal (no `view`), once its first section is drawn: the chunks of the other
   * sections the organization has on, loaded when the browser is idle, so that switching
   * section shows it at once. One view on its own (`view="…"`) loads nothing more.
   */
  #prefetch(): void {
    if (this.#prefetched) return;
    this.#prefetched = true;
    const idle = (run: () => void) => (typeof requestIdleCallback === 'function' ? requestIdleCallback(run, { timeout: 2000 }) : setTimeout(run, 200));
    idle(() => {
      for (const view of this.#availableViews()) if (!customElements.get(view.tag)) view.load().catch(() => undefined); // shown (and retried) when opened
    });
  }

  protected override updated(changed: PropertyValues): void {
    // The element holding focus went away (signed in, signed out): keep focus in the portal.
    if (this.#hadFocus && !this.matches(':focus-within')) {
      this.renderRoot.querySelector<HTMLElement>('.base')?.focus({ preventScroll: true });
    }
    if (changed.has('section') || changed.has('scopeKnown')) this.#revealActiveTab();
  }

  /** On a phone the tabs scroll sideways: the current one is scrolled into the row (only the row, never the page). */
  #revealActiveTab(): void {
    const nav = this.renderRoot.querySelector<HTMLElement>('[part="nav"]');
    const tab = nav?.querySelector<HTMLElement>('[aria-current="page"]');
    if (!nav || !tab) return;
    const row = nav.getBoundingClientRect();
    const box = tab.getBoundingClientRect();
    const delta = box.left < row.left ? box.left - row.left : box.right > row.right ? box.right - row.right : 0;
    if (delta) nav.scrollBy({ left: delta });
  }

  #loadOrganization(connection: Connection): void {
    if (this.organization || this.organizationFailed) return;
    connection.organization().then(
      (organization) => {
        if (this.connection !== connection) return;
        this.organization = organization;
        applyBranding(this, organization.branding);
      },
      () => {
        if (this.connection === connection) this.organizationFailed = true;
      },
    );
  }

  #loadChunk(view: ViewDefinition): void {
    if (customElements.get(view.tag)) return;
    view.load().then(
      () => this.requestUpdate(),
      () => {
        this.chunkError = view;
      },
    );
  }

  async #exchange(connection: Connection, { token, seat }: UrlToken): Promise<void> {
    this.exchanging = true;
    try {
      connection.session.signIn(await exchangeToken(connection.http, token, seat));
      this.emit(new SignedInEvent());
    } catch (error) {
      this.linkError = (error as ApiError).message;
    } finally {
      this.exchanging = false;
    }
  }

  /**
   * Registered views the organization has turned on (all registered ones until it is known).
   * Settings holds all the account view has, so the account is listed only without it. A seat
   * holder without billing of their own sees a team member's sections: the overview (whose team
   * they joined), the benefits and their account — not payment methods, orders or seats, which
   * are the owner's to manage.
   */
  #availableViews(): ViewDefinition[] {
    const sections = this.organization?.portal_settings.sections;
    const settingsShown = sections?.settings !== false && !this.seatOnly;
    return views.filter((view) => sections?.[view.id] !== false && (!this.seatOnly || SEAT_SECTIONS.has(view.id)) && (view.id !== 'account' || !settingsShown));
  }

  #activeView(): ViewDefinition | undefined {
    const available = this.#availableViews();
    // An email's link to the payment methods (…/portal#payment-methods) opens Settings.
    const wanted = this.section ?? (globalThis.location?.hash === '#payment-methods' ? 'settings' : undefined);
    return available.find((view) => view.id === wanted) ?? available[0];
  }

  /** Shows a section (and one thing in it), as a new entry in the page's history. */
  private select(id: SectionId, detail?: string, replace = false): void {
    if (id === this.#activeView()?.id && detail === this.detail) return;
    this.section = id;
    this.detail = detail;
    if (!this.view) writeRoute(this.#mode(), detail ? { view: id, detail } : { view: id }, replace);
  }

  /**
   * A view asked for another section (the past-due banner, "View all") or opened a detail (an
   * order): show it if it is on.
   */
  private navigate(event: NavigateEvent): void {
    const view = this.#availableViews().find((v) => v.id === event.detail.view);
    if (view) {
      event.preventDefault();
      this.select(view.id, event.detail.detail, event.detail.replace === true);
    }
  }

  private retryChunk(): void {
    this.chunkError = undefined;
  }

  /** "Back to …" when a merchant's pre-authenticated link said where the customer came from. */
  #backLink(): string | undefined {
    if (this.session.status !== 'signed-in' || !this.session.returnUrl) return undefined;
    try {
      const url = new URL(this.session.returnUrl);
      return /^https?:$/.test(url.protocol) && url.href !== returnUrl() ? url.href : undefined;
    } catch {
      return undefined;
    }
  }

  private renderView(view: ViewDefinition): TemplateResult {
    if (this.chunkError === view) {
      return alert(
        'danger',
        msg('This section could not be loaded. Check your connection and try again.'),
        html`<button type="button" class="button button--secondary button--small" @click=${this.retryChunk}>${msg('Try again')}</button>`,
      );
    }
    if (!customElements.get(view.tag)) {
      return html`<div class="placeholder" aria-busy="true">${skeleton('40%', '1.5em')} ${skeleton('100%', '8em')}</div>`;
    }
    let element = this.#elements.get(view.id);
    if (!element) {
      element = document.createElement(view.tag);
      // The host page styles a view's parts through the portal: customer-portal::part(card).
      element.setAttribute('exportparts', 'base: view, heading, card, balance, chart, past-due, alert, badge');
      this.#elements.set(view.id, element);
    }
    // What the address says to open in it (an order, the card form); views without details ignore it.
    (element as HTMLElement & { detail?: string }).detail = this.view || view.id !== this.#activeView()?.id ? undefined : this.detail;
    return html`${element}`;
  }

  #tabs(available: ViewDefinition[], active: ViewDefinition | undefined): TemplateResult[] {
    return available.map(
      (view) =>
        html`<button
              type="button"
              class="tab"
              part="tab"
              aria-current=${view === active ? 'page' : nothing}
              @click=${() => this.select(view.id)}
            >
              ${view.label()}
            </button>`,
    );
  }

  private renderFull(): TemplateResult {
    const organization = this.organization;
    const logo = organization?.branding.logo_url;
    const back = this.#backLink();
    const available = this.#availableViews();
    const active = this.#activeView();
    return html`<div class="base" part="base" tabindex="-1">
      <div class="header" part="header">
        ${logo ? html`<img class="logo" part="logo" src=${logo} alt="" />` : nothing}
        <span class="title" part="title" dir="auto">${organization ? organization.name : this.organizationFailed ? nothing : skeleton('10em', '1.25em')}</span>
        ${
          back
            ? html`<a class="back" part="back-link" href=${back}
              >${organization ? msg(str`Back to ${organization.name}`) : msg('Back')}</a
            >`
            : nothing
        }
      </div>
      <nav class="nav" part="nav" aria-label=${msg('Portal sections')} aria-busy=${this.scopeKnown ? nothing : 'true'}>
        ${this.scopeKnown ? this.#tabs(available, active) : html`${skeleton('6em', '1.75em')} ${skeleton('7em', '1.75em')} ${skeleton('5em', '1.75em')}`}
      </nav>
      <div class="body" part="body" @cp-navigate=${this.navigate}>
        ${active ? this.renderView(active) : html`<p class="status">${msg('There is nothing to show here yet.')}</p>`}
      </div>
    </div>`;
  }

  override render(): TemplateResult {
    if (!this.connection) {
      return alert('danger', msg('This portal does not know its organization. Add org="your-organization" to <customer-portal>.'));
    }
    if (this.exchanging) {
      return html`<div class="base" part="base" tabindex="-1">
        <p class="status" role="status"><span class="spinner" aria-hidden="true"></span>${msg('Signing you in…')}</p>
      </div>`;
    }
    if (this.session.status !== 'signed-in') {
      const notice = this.linkError || (this.session.status === 'expired' ? this.session.message : '');
      return html`<div class="base base--center" part="base" tabindex="-1">
        ${
          ensureDefined('customer-portal-sign-in', lazy.signIn, this)
            ? html`<customer-portal-sign-in exportparts="base: sign-in, form: sign-in-form" .message=${notice}></customer-portal-sign-in>`
            : html`<div class="placeholder" aria-busy="true">${skeleton('60%', '1.5em')} ${skeleton('100%', '6em')}</div>`
        }
      </div>`;
    }
    if (this.view) {
      const view = findView(this.view);
      const known = views.map((v) => v.id).join(', ');
      return html`<div class="base" part="base" tabindex="-1">
        ${view ? this.renderView(view) : alert('danger', msg(str`There is no "${this.view}" view. Use one of: ${known}.`))}
      </div>`;
    }
    return this.renderFull();
  }
}
