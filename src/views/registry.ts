import { msg } from '@lit/localize';
import type { SectionId } from '../schemas/organization.js';
import { lazy } from './lazy.js';

export interface ViewDefinition {
  /** The section id in the organization's portal settings, and the `view` attribute's value. */
  id: SectionId;
  /** The element; every view is also usable on its own. */
  tag: `customer-portal-${string}`;
  /** The navigation label (a function, so it follows the locale). */
  label: () => string;
  /** Loads the view's chunk, which registers `tag`. */
  load: () => Promise<unknown>;
}

/**
 * The views that exist, in navigation order. A section is shown when it is registered here
 * and the organization has it turned on. Each view is a lazily loaded chunk of its own (what
 * views share in shared chunks, see vite.config.ts): keep imports of view modules out of the entry.
 */
export const views: readonly ViewDefinition[] = [
  { id: 'overview', tag: 'customer-portal-overview', label: () => msg('Overview'), load: () => import('./overview/overview.js') },
  { id: 'subscriptions', tag: 'customer-portal-subscriptions', label: () => msg('Subscriptions'), load: () => import('./subscriptions/subscriptions.js') },
  { id: 'orders', tag: 'customer-portal-orders', label: () => msg('Orders'), load: () => import('./orders/orders.js') },
  { id: 'benefits', tag: 'customer-portal-benefits', label: () => msg('Benefits'), load: () => import('./benefits/benefits.js') },
  { id: 'seats', tag: 'customer-portal-seats', label: () => msg('Seats'), load: () => import('./seats/seats.js') },
  { id: 'usage', tag: 'customer-portal-usage', label: () => msg('Usage'), load: () => import('./usage/usage.js') },
  { id: 'wallet', tag: 'customer-portal-wallet', label: () => msg('Wallet'), load: () => import('./wallet/wallet.js') },
  { id: 'settings', tag: 'customer-portal-settings', label: () => msg('Settings'), load: () => import('./settings/settings.js') },
  { id: 'account', tag: 'customer-portal-account', label: () => msg('Account'), load: () => import('./account/account.js') },
];

/** Elements a page can hold on their own that are not sections: loaded like the views. */
export const elements: readonly Pick<ViewDefinition, 'tag' | 'load'>[] = [
  ...views,
  { tag: 'customer-portal-payment-methods', load: () => import('./settings/payment-methods.js') },
  { tag: 'customer-portal-sign-in', load: lazy.signIn },
];

export function findView(id: string): ViewDefinition | undefined {
  return views.find((view) => view.id === id);
}
