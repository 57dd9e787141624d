import type { Connection } from '../api/connection.js';

type Listener = (connection: Connection | undefined) => void;

/**
 * How an element inside `<customer-portal>` gets the portal's connection: it dispatches this
 * event (it crosses shadow roots) and the nearest portal around it answers, then calls the
 * listener again whenever its connection changes. The same protocol as @lit/context's
 * context-request event, in the few lines we need of it (the library cost ~1 KB gzip of the
 * entry's budget). The event type is a string, so elements from a second copy of the script
 * on the same page still find the portal.
 */
export class ConnectionRequest extends Event {
  /** Set by the portal that answered: stops the updates. */
  unsubscribe?: () => void;

  constructor(readonly listener: Listener) {
    super('customer-portal:connection', { bubbles: true, composed: true });
  }
}

/** Held by `<customer-portal>`: answers the requests of everything it renders. */
export class ConnectionProvider {
  #value?: Connection;
  readonly #listeners = new Set<Listener>();

  constructor(host: HTMLElement) {
    host.addEventListener('customer-portal:connection', (event) => {
      // The portal's own request goes on to a portal around it, if any.
      if (event.composedPath()[0] === host) return;
      event.stopPropagation();
      const request = event as ConnectionRequest;
      this.#listeners.add(request.listener);
      request.unsubscribe = () => this.#listeners.delete(request.listener);
      request.listener(this.#value);
    });
  }

  setValue(value: Connection | undefined): void {
    if (value === this.#value) return;
    this.#value = value;
    for (const listener of [...this.#listeners]) listener(value);
  }
}
