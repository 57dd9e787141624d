// React components for the portal's elements: `import { CustomerPortal } from 'customer-portal/react'`.
//
// Each is @lit/react's createComponent over one element: a prop the element has as a property
// is set as that property (`serverUrl`, `embedded`, …), any other prop is an attribute (`org`,
// `theme`, `className`), and the `on…` props listen to the element's DOM events, typed with
// their event classes. Browser only: the widget registers its elements when imported.
//
// The views stay lazily loaded: this module imports the widget's entry (which registers
// <customer-portal>, and loads a view's chunk, or the sign-in's, as soon as its tag is on the
// page) and never a view module. createComponent uses the class it is given only to ask which
// props are properties (`prop in elementClass.prototype`) and for its display name; it never
// defines or constructs it. So a view's component gets a stand-in class whose prototype names
// the view's properties (elements.ts), and the view's real class only as a type.
import * as React from 'react';
import { createComponent } from '@lit/react';
import { CustomerPortal as CustomerPortalElement, type CustomerPortalSignIn as CustomerPortalSignInElement } from '../index.js';
import type { CustomerPortalAccount as AccountElement } from '../views/account/account.js';
import type { CustomerPortalBenefits as BenefitsElement } from '../views/benefits/benefits.js';
import type { CustomerPortalOrders as OrdersElement } from '../views/orders/orders.js';
import type { CustomerPortalOverview as OverviewElement } from '../views/overview/overview.js';
import type { CustomerPortalSeats as SeatsElement } from '../views/seats/seats.js';
import type { CustomerPortalPaymentMethods as PaymentMethodsElement } from '../views/settings/payment-methods.js';
import type { CustomerPortalSettings as SettingsElement } from '../views/settings/settings.js';
import type { CustomerPortalSubscriptions as SubscriptionsElement } from '../views/subscriptions/subscriptions.js';
import type { CustomerPortalUsage as UsageElement } from '../views/usage/usage.js';
import type { CustomerPortalWallet as WalletElement } from '../views/wallet/wallet.js';
import {
  accountEvents,
  benefitsEvents,
  ordersEvents,
  overviewEvents,
  paymentMethodsEvents,
  portalEvents,
  paymentMethodsProperties,
  seatsEvents,
  settingsEvents,
  signInEvents,
  signInProperties,
  subscriptionsEvents,
  usageEvents,
  viewProperties,
  walletEvents,
} from './elements.js';

export type * from '../events.js';

/** The `theme` attribute every element takes (see docs/theming.md). */
export interface ThemeAttribute {
  /** The built-in palette: `light` (default), `dark`, or `auto` (the system's). */
  theme?: 'light' | 'dark' | 'auto';
}

type Constructor<T> = new () => T;

/** A view's stand-in class until its chunk defines the real one: a prototype naming its properties. */
function lazyElement<I extends HTMLElement>(properties: readonly (keyof I & string)[]): Constructor<I> {
  const stub = class extends HTMLElement {};
  for (const property of properties) Object.defineProperty(stub.prototype, property, { value: undefined, writable: true });
  return stub as unknown as Constructor<I>;
}

function component<I extends HTMLElement, E extends Record<string, string>>(tagName: string, elementClass: Constructor<I>, events: E, displayName: string) {
  // The theme is an attribute only (the styles read it), so it is typed here and passed on as one.
  return createComponent({ react: React, tagName, elementClass: elementClass as Constructor<I & ThemeAttribute>, events, displayName });
}

/** `<customer-portal>`: sign-in, then one section (`view`) or all of them with navigation. Hears every event. */
export const CustomerPortal = component('customer-portal', CustomerPortalElement, portalEvents, 'CustomerPortal');

/** `<customer-portal-sign-in>`: the email-and-code sign-in on its own. */
export const CustomerPortalSignIn = component(
  'customer-portal-sign-in',
  lazyElement<CustomerPortalSignInElement>(signInProperties),
  signInEvents,
  'CustomerPortalSignIn',
);

// The views, each loaded when its element is first rendered.
export const CustomerPortalOverview = component(
  'customer-portal-overview',
  lazyElement<OverviewElement>(viewProperties),
  overviewEvents,
  'CustomerPortalOverview',
);
export const CustomerPortalSubscriptions = component(
  'customer-portal-subscriptions',
  lazyElement<SubscriptionsElement>(viewProperties),
  subscriptionsEvents,
  'CustomerPortalSubscriptions',
);
export const CustomerPortalOrders = component('customer-portal-orders', lazyElement<OrdersElement>(viewProperties), ordersEvents, 'CustomerPortalOrders');
export const CustomerPortalBenefits = component(
  'customer-portal-benefits',
  lazyElement<BenefitsElement>(viewProperties),
  benefitsEvents,
  'CustomerPortalBenefits',
);
export const CustomerPortalSeats = component('customer-portal-seats', lazyElement<SeatsElement>(viewProperties), seatsEvents, 'CustomerPortalSeats');
export const CustomerPortalUsage = component('customer-portal-usage', lazyElement<UsageElement>(viewProperties), usageEvents, 'CustomerPortalUsage');
export const CustomerPortalWallet = component('customer-portal-wallet', lazyElement<WalletElement>(viewProperties), walletEvents, 'CustomerPortalWallet');
export const CustomerPortalSettings = component(
  'customer-portal-settings',
  lazyElement<SettingsElement>(viewProperties),
  settingsEvents,
  'CustomerPortalSettings',
);
export const CustomerPortalAccount = component('customer-portal-account', lazyElement<AccountElement>(viewProperties), accountEvents, 'CustomerPortalAccount');
export const CustomerPortalPaymentMethods = component(
  'customer-portal-payment-methods',
  lazyElement<PaymentMethodsElement>(paymentMethodsProperties),
  paymentMethodsEvents,
  'CustomerPortalPaymentMethods',
);
