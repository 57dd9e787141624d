import { localized } from '@lit/localize';
import { LitElement, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import type { PortalEvent } from '../events.js';
import { chooseLocale, localeAttributes } from '../i18n/localize.js';

/**
 * The base of every element in the library.
 *
 * - `define()` registers a tag without throwing when it is already taken: a merchant's page
 *   may load the script twice (two bundles, a tag manager, a hot reload).
 * - `emit()` dispatches one of the library's typed events, which all bubble and cross shadow
 *   roots, so the host page hears them wherever the element sits.
 *
 * - Languages: strings are wrapped in `msg()`; every element re-renders when the language
 *   changes (`@localized()`), and its host carries the language's `lang` and `dir`, so a
 *   portal in Arabic lays out right to left on any page (see src/i18n/localize.ts).
 */
@localized()
export class PortalElement extends LitElement {
  /**
   * The language to show (BCP 47, e.g. `fr`, `pt-BR`, `ar`). Without it: the signed-in
   * customer's language, else the browser's. One language per page: the last element given
   * one sets it for all.
   */
  @property({ reflect: true }) locale?: string;

  static define(tag: string): void {
    // `this`, not PortalElement: each subclass registers itself (Biome's noThisInStatic would
    // make every tag the base class, and the second define throws).
    // biome-ignore lint/complexity/noThisInStatic: the subclass being defined is the point
    if (!customElements.get(tag)) customElements.define(tag, this);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void chooseLocale(this.locale ? 'attribute' : undefined, this.locale);
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    // Set, changed or removed (then the customer's or the browser's language applies again).
    if (changed.has('locale')) void chooseLocale('attribute', this.locale);
    const { lang, dir } = localeAttributes();
    if (this.lang !== lang) this.lang = lang;
    if (this.dir !== dir) this.dir = dir;
  }

  /** Dispatches one of the library's events from this element and returns it. */
  emit<E extends PortalEvent>(event: E): E {
    this.dispatchEvent(event);
    return event;
  }
}
