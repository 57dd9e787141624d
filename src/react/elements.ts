// What the React components need to know of each element, as plain data (no React, no DOM)
// so test/react.test.ts can check it against dist/custom-elements.json:
//   - the `on…` props and the DOM event each listens to. Every event bubbles, so an element
//     hears its own events and those of what it renders: a view on its own shows the sign-in
//     (cp-signed-in), <customer-portal> shows every view;
//   - the properties of the lazily loaded views (see LazyElement in index.ts).
import type { EventName } from '@lit/react';
import type {
  InvoiceDownloadedEvent,
  KeyRotatedEvent,
  NavigateEvent,
  PaymentMethodUpdatedEvent,
  SeatAssignEvent,
  SeatChangedEvent,
  SignedInEvent,
  SignedOutEvent,
  SubscriptionCanceledEvent,
  SubscriptionChangedEvent,
  SubscriptionUncanceledEvent,
} from '../events.js';

const session = {
  onSignedIn: 'cp-signed-in' as EventName<SignedInEvent>,
  onSignedOut: 'cp-signed-out' as EventName<SignedOutEvent>,
};
const subscriptions = {
  onSubscriptionCanceled: 'cp-subscription-canceled' as EventName<SubscriptionCanceledEvent>,
  onSubscriptionUncanceled: 'cp-subscription-uncanceled' as EventName<SubscriptionUncanceledEvent>,
  onSubscriptionChanged: 'cp-subscription-changed' as EventName<SubscriptionChangedEvent>,
};
const orders = { onInvoiceDownloaded: 'cp-invoice-downloaded' as EventName<InvoiceDownloadedEvent> };
const paymentMethods = { onPaymentMethodUpdated: 'cp-payment-method-updated' as EventName<PaymentMethodUpdatedEvent> };
const seats = {
  onSeatAssign: 'cp-seat-assign' as EventName<SeatAssignEvent>,
  onSeatChanged: 'cp-seat-changed' as EventName<SeatChangedEvent>,
};
const benefits = { onKeyRotated: 'cp-key-rotated' as EventName<KeyRotatedEvent> };

export const portalEvents = {
  ...session,
  ...subscriptions,
  ...orders,
  ...paymentMethods,
  ...seats,
  ...benefits,
  onNavigate: 'cp-navigate' as EventName<NavigateEvent>,
};
export const signInEvents = session;
export const overviewEvents = session;
export const subscriptionsEvents = { ...session, ...subscriptions };
export const ordersEvents = { ...session, ...orders };
export const benefitsEvents = { ...session, ...benefits };
export const seatsEvents = { ...session, ...seats };
export const usageEvents = session;
export const walletEvents = session;
export const settingsEvents = { ...session, ...paymentMethods };
export const accountEvents = session;
export const paymentMethodsEvents = { ...session, ...paymentMethods };

/** Each element's events by tag. */
export const eventsByTag: Record<string, Record<string, string>> = {
  'customer-portal': portalEvents,
  'customer-portal-sign-in': signInEvents,
  'customer-portal-overview': overviewEvents,
  'customer-portal-subscriptions': subscriptionsEvents,
  'customer-portal-orders': ordersEvents,
  'customer-portal-benefits': benefitsEvents,
  'customer-portal-seats': seatsEvents,
  'customer-portal-usage': usageEvents,
  'customer-portal-wallet': walletEvents,
  'customer-portal-settings': settingsEvents,
  'customer-portal-account': accountEvents,
  'customer-portal-payment-methods': paymentMethodsEvents,
};

/**
 * The views' properties that a React prop must set as a property, not an attribute: camelCase
 * names (`serverUrl` is the `server-url` attribute), booleans, objects. Set on the element
 * before its chunk defines it, they are taken over by the element when it upgrades. Props not
 * listed become attributes of the same name (`org`, `theme`, `locale`), which is what those are.
 */
export const viewProperties = ['org', 'serverUrl', 'embedded', 'detail'] as const;
export const paymentMethodsProperties = [...viewProperties, 'initial'] as const;
/** The sign-in's (loaded on demand like the views): `message`, a notice shown above the form, and the resend cooldown. */
export const signInProperties = ['org', 'serverUrl', 'message', 'resendCooldown'] as const;

/** The lazily loaded views' properties by tag. */
export const propertiesByTag: Record<string, readonly string[]> = {
  'customer-portal-overview': viewProperties,
  'customer-portal-subscriptions': viewProperties,
  'customer-portal-orders': viewProperties,
  'customer-portal-benefits': viewProperties,
  'customer-portal-seats': viewProperties,
  'customer-portal-usage': viewProperties,
  'customer-portal-wallet': viewProperties,
  'customer-portal-settings': viewProperties,
  'customer-portal-account': viewProperties,
  'customer-portal-payment-methods': paymentMethodsProperties,
  'customer-portal-sign-in': signInProperties,
};
