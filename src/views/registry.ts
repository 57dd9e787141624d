import { msg } from '@lit/localize';
import type { SectionId } from '../schemas/organization.js';

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
 * and the organization has it turned on. Each view is a lazily loaded chunk: keep imports of
 * view modules out of the entry.
 */
export const views: readonly ViewDefinition[] = [
  { id: 'overview', tag: 'customer-portal-overview', label: () => msg('Overview'), load: () => import('./overview/overview.js') },
  { id: 'subscriptions', tag: 'customer-portal-subscriptions', label: () => msg('Subscriptions'), load: () => import('./subscriptions/subscriptions.js') },
  { id: 'orders', tag: 'customer-portal-orders', label: () => msg('Orders'), load: () => import('./orders/orders.js') },
  { id: 'account', tag: 'customer-portal-account', label: () => msg('Account'), load: () => import('./account/account.js') },
];

export function findView(id: string): ViewDefinition | undefined {
  return views.find((view) => view.id === id);
}
