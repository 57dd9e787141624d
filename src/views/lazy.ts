/**
 * What is loaded only when it is first shown (docs/architecture.md, "Chunks"): the sign-in (a
 * signed-in customer never needs it) and each action's flow (when the customer opens one). In
 * the entry, beside the views' loaders. Not the dialog nor the toast: a lazily loaded chunk
 * that needs lit and nothing else of the entry makes rolldown move lit out of the entry into a
 * common chunk (a second request before anything renders; the size test fails if the entry
 * ever imports another chunk).
 */
export const lazy = {
  signIn: () => import('../portal/sign-in.js'),
  cancelFlow: () => import('./subscriptions/cancel-flow.js'),
  changePlanFlow: () => import('./subscriptions/change-plan-flow.js'),
  seatsFlow: () => import('./subscriptions/seats-flow.js'),
  pauseFlow: () => import('./subscriptions/pause-flow.js'),
  invoiceDetailsFlow: () => import('./orders/invoice-details-flow.js'),
  emailChangeFlow: () => import('./account/email-change-flow.js'),
};

/**
 * Whether `tag` is defined; if not, starts loading it (once at a time) and asks `host` to
 * render again when it is. A lazily loaded element that holds content of its own (the dialog,
 * the sign-in) is rendered only once defined, so that content never shows unstyled.
 */
export function ensureDefined(tag: string, load: () => Promise<unknown>, host: { requestUpdate(): void }): boolean {
  if (customElements.get(tag)) return true;
  load().then(
    () => host.requestUpdate(),
    () => undefined, // a failed download: the next render asks again
  );
  return false;
}
