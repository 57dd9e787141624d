import { property, state } from 'lit/decorators.js';
import type { PropertyValues } from 'lit';
import { connect, defaultServerUrl, type Connection } from '../api/connection.js';
import type { SessionState } from '../api/session.js';
import { ConnectionRequest } from '../context/connection.js';
import { chooseLocale } from '../i18n/localize.js';
import { SignedOutEvent } from '../session-events.js';
import { PortalElement } from './portal-element.js';

/**
 * An element that talks to the portal API. Inside `<customer-portal>` it uses the portal's
 * connection (context); on its own it connects with its `server-url` and `org` attributes.
 * Either way it follows the shared session: `session` re-renders the element on change.
 *
 * @event cp-signed-out - The session ended (sign-out or expiry). Dispatched by the outermost
 * element only (the one with no portal around it), so the host page hears it once.
 */
export class ConnectedElement extends PortalElement {
  /** The connection of the `<customer-portal>` around this element, if any. */
  @state() protected provided?: Connection;

  /** The session server. Defaults to the origin the script was loaded from. */
  @property({ attribute: 'server-url' }) serverUrl: string = defaultServerUrl;

  /** The organization's slug (ignored inside `<customer-portal>`, which sets it). */
  @property() org = '';

  @state() protected session: SessionState = { status: 'signed-out' };

  protected connection?: Connection;
  #unsubscribe?: () => void;
  #leavePortal?: () => void;

  override connectedCallback(): void {
    super.connectedCallback();
    const request = new ConnectionRequest((connection) => {
      this.provided = connection;
    });
    this.dispatchEvent(request);
    this.#leavePortal = request.unsubscribe;
    this.#bind();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#leavePortal?.();
    this.#leavePortal = undefined;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    if (changed.has('provided') || changed.has('serverUrl') || changed.has('org')) this.#bind();
  }

  /** Called when the element starts using a (new) connection. */
  protected connectionChanged(_connection: Connection | undefined): void {}

  /** Called on every change of the shared session, after `session` is updated. */
  protected sessionChanged(previous: SessionState): void {
    // The language a customer picked in Account was theirs: the next customer starts without it.
    if (previous.status === 'signed-in' && (this.session.status !== 'signed-in' || this.session.token !== previous.token)) void chooseLocale('picked', null);
    if (previous.status === 'signed-in' && this.session.status !== 'signed-in' && !this.provided) {
      this.emit(new SignedOutEvent({ reason: this.session.status === 'expired' ? 'expired' : 'sign-out' }));
    }
  }

  #bind(): void {
    if (!this.isConnected) return;
    const connection = this.provided ?? (this.org ? connect(this.serverUrl, this.org) : undefined);
    if (connection === this.connection && this.#unsubscribe) return;
    this.#unsubscribe?.();
    this.connection = connection;
    this.session = connection?.session.state ?? { status: 'signed-out' };
    this.#unsubscribe = connection?.session.subscribe((next) => {
      const previous = this.session;
      this.session = next;
      this.sessionChanged(previous);
    });
    this.connectionChanged(connection);
  }
}
