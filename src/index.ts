// The script-tag entry: `<script type="module" src="https://portal.example.com/customer-portal.js">`.
// Registers the portal; each view is a chunk of its own, loaded when it is first shown by
// <customer-portal> or placed on the page on its own, and so is the sign-in (only a signed-out
// page shows it: src/views/registry.ts `lazy`).
import { CustomerPortal } from './portal/portal.js';
import { elements } from './views/registry.js';

export { CustomerPortal };
export type { CustomerPortalSignIn } from './portal/sign-in.js';
export { SignedInEvent, SignedOutEvent } from './session-events.js';
export type {
  InvoiceDownloadedDetail,
  KeyRotatedDetail,
  NavigateDetail,
  PaymentMethodUpdatedDetail,
  SeatAssignDetail,
  SeatChangedDetail,
  SignedInDetail,
  SignedOutDetail,
  SubscriptionCanceledDetail,
  SubscriptionChangedDetail,
  SubscriptionUncanceledDetail,
} from './events.js';

CustomerPortal.define('customer-portal');

declare global {
  interface HTMLElementTagNameMap {
    'customer-portal': CustomerPortal;
  }
}

/** Loads the chunk of every view whose tag is on the page but not defined yet. */
function loadStandaloneViews(): boolean {
  let pending = false;
  for (const view of elements) {
    if (customElements.get(view.tag)) continue;
    if (document.querySelector(view.tag)) void view.load();
    else pending = true;
  }
  return pending;
}

// Views added later (a single-page app rendering a route) are picked up too, until every
// view is loaded.
if (loadStandaloneViews()) {
  const observer = new MutationObserver(() => {
    if (!loadStandaloneViews()) observer.disconnect();
  });
  observer.observe(document.documentElement, { childList: true, subtree: true });
}
