import { LitElement } from 'lit';
import type { PortalEvent } from '../events.js';

/**
 * The base of every element in the library.
 *
 * - `define()` registers a tag without throwing when it is already taken: a merchant's page
 *   may load the script twice (two bundles, a tag manager, a hot reload).
 * - `emit()` dispatches one of the library's typed events, which all bubble and cross shadow
 *   roots, so the host page hears them wherever the element sits.
 *
 * Strings are wrapped in `msg()`; once locales are configured, decorate this class with
 * `@localized()` so every element re-renders on a locale change (see src/i18n/README.md).
 */
export class PortalElement extends LitElement {
  static define(tag: string): void {
    if (!customElements.get(tag)) customElements.define(tag, this);
  }

  /** Dispatches one of the library's events from this element and returns it. */
  emit<E extends PortalEvent>(event: E): E {
    this.dispatchEvent(event);
    return event;
  }
}
