// DOM events the host page can listen to. Each bubbles and is composed, so a listener on
// `document` hears it from inside any shadow root. The entry imports the sign-in events from
// session-events.ts; the others are dispatched only by views and load with them.
import type { SectionId } from './schemas/organization.js';
import { PortalCustomEvent, type SignedInEvent, type SignedOutEvent } from './session-events.js';

export { SignedInEvent, SignedOutEvent } from './session-events.js';
export type { SignedInDetail, SignedOutDetail, SignedOutReason } from './session-events.js';

export interface SubscriptionCanceledDetail {
  subscriptionId: string;
  /** `at_period_end`: access lasts until `endsAt`; `immediately`: it has ended. */
  mode: 'at_period_end' | 'immediately';
  endsAt: string;
  /** What an immediate cancellation refunded (minor units), if anything. */
  refund: { amount: number; currency: string; destination: string } | null;
}

export interface SubscriptionUncanceledDetail {
  subscriptionId: string;
}

export interface SubscriptionChangedDetail {
  subscriptionId: string;
  /** What changed: plan (upgrade/downgrade), seats, a pause or resume, or an accepted retention offer. */
  change: 'upgrade' | 'downgrade' | 'seats' | 'pause' | 'resume' | 'retention_offer';
  /** The price and seats the subscription has, or will have from `effectiveAt`. */
  priceId: string;
  seats: number;
  effectiveAt: string;
  /** The order that charged for the change now, if one did. */
  orderId: string | null;
}

export interface InvoiceDownloadedDetail {
  orderId: string;
  invoiceNumber: string;
  document: 'invoice' | 'receipt';
}

export interface PaymentMethodUpdatedDetail {
  /** `added` through the hosted form (it becomes the default), made `default`, or `removed`. */
  change: 'added' | 'default' | 'removed';
  paymentMethodId: string;
  /** The subscriptions whose failed renewal was charged again at once, and how that went. */
  retried: Array<{ subscription_id: string; status: string; ok: boolean; message?: string | null }>;
}

/** Before a seat is assigned: cancel the event to run your own invitation flow instead. */
export interface SeatAssignDetail {
  subscription_id: string;
  email: string;
}

export interface SeatChangedDetail {
  seatId: string;
  subscriptionId: string;
  email: string;
  change: 'assigned' | 'resent' | 'revoked';
}

export interface KeyRotatedDetail {
  /** The benefit grant whose license or API key was replaced. */
  grantId: string;
  type: 'license_key' | 'api_key';
}

export interface NavigateDetail {
  /** The section to show. */
  view: SectionId;
  /** One thing in it: an order id (orders), `payment-method` (settings: the card form). */
  detail?: string;
  /**
   * The address replaces the current one instead of adding to the history: a detail that closed
   * (the card form), so Back does not open it again.
   */
  replace?: boolean;
}

/** The customer canceled a subscription (at the end of the period, or now). */
export class SubscriptionCanceledEvent extends PortalCustomEvent<SubscriptionCanceledDetail> {
  static readonly type = 'cp-subscription-canceled';
  constructor(detail: SubscriptionCanceledDetail) {
    super(SubscriptionCanceledEvent.type, detail);
  }
}

/** The customer took back a cancellation at the end of the period. */
export class SubscriptionUncanceledEvent extends PortalCustomEvent<SubscriptionUncanceledDetail> {
  static readonly type = 'cp-subscription-uncanceled';
  constructor(detail: SubscriptionUncanceledDetail) {
    super(SubscriptionUncanceledEvent.type, detail);
  }
}

/** The customer changed a subscription's plan or seats, paused or resumed it, or took a retention offer. */
export class SubscriptionChangedEvent extends PortalCustomEvent<SubscriptionChangedDetail> {
  static readonly type = 'cp-subscription-changed';
  constructor(detail: SubscriptionChangedDetail) {
    super(SubscriptionChangedEvent.type, detail);
  }
}

/** The customer downloaded an invoice or a receipt. */
export class InvoiceDownloadedEvent extends PortalCustomEvent<InvoiceDownloadedDetail> {
  static readonly type = 'cp-invoice-downloaded';
  constructor(detail: InvoiceDownloadedDetail) {
    super(InvoiceDownloadedEvent.type, detail);
  }
}

/** A payment method was added, made the default or removed. */
export class PaymentMethodUpdatedEvent extends PortalCustomEvent<PaymentMethodUpdatedDetail> {
  static readonly type = 'cp-payment-method-updated';
  constructor(detail: PaymentMethodUpdatedDetail) {
    super(PaymentMethodUpdatedEvent.type, detail);
  }
}

/**
 * The customer is about to assign a seat. Cancelable: `preventDefault()` and the portal makes
 * no request, so the host app can invite the person its own way.
 */
export class SeatAssignEvent extends PortalCustomEvent<SeatAssignDetail> {
  static readonly type = 'cp-seat-assign';
  constructor(detail: SeatAssignDetail) {
    super(SeatAssignEvent.type, detail, true);
  }
}

/** A seat was assigned, its invitation sent again, or it was revoked. */
export class SeatChangedEvent extends PortalCustomEvent<SeatChangedDetail> {
  static readonly type = 'cp-seat-changed';
  constructor(detail: SeatChangedDetail) {
    super(SeatChangedEvent.type, detail);
  }
}

/** A license key or API key was replaced by a new one; the old one no longer works. */
export class KeyRotatedEvent extends PortalCustomEvent<KeyRotatedDetail> {
  static readonly type = 'cp-key-rotated';
  constructor(detail: KeyRotatedDetail) {
    super(KeyRotatedEvent.type, detail);
  }
}

/**
 * A view asks to show another section (the past-due banner, "View all orders"). The full
 * `<customer-portal>` switches to it and cancels the event. Views offer these links only inside
 * the full portal (`canNavigate()`), so a view on its own never sends it.
 */
export class NavigateEvent extends PortalCustomEvent<NavigateDetail> {
  static readonly type = 'cp-navigate';
  constructor(detail: NavigateDetail) {
    super(NavigateEvent.type, detail, true);
  }
}

/** Every event the library dispatches. */
export type PortalEvent =
  | SignedInEvent
  | SignedOutEvent
  | SubscriptionCanceledEvent
  | SubscriptionUncanceledEvent
  | SubscriptionChangedEvent
  | InvoiceDownloadedEvent
  | PaymentMethodUpdatedEvent
  | SeatAssignEvent
  | SeatChangedEvent
  | KeyRotatedEvent
  | NavigateEvent;

declare global {
  interface GlobalEventHandlersEventMap {
    'cp-signed-in': SignedInEvent;
    'cp-signed-out': SignedOutEvent;
    'cp-subscription-canceled': SubscriptionCanceledEvent;
    'cp-subscription-uncanceled': SubscriptionUncanceledEvent;
    'cp-subscription-changed': SubscriptionChangedEvent;
    'cp-invoice-downloaded': InvoiceDownloadedEvent;
    'cp-payment-method-updated': PaymentMethodUpdatedEvent;
    'cp-seat-assign': SeatAssignEvent;
    'cp-seat-changed': SeatChangedEvent;
    'cp-key-rotated': KeyRotatedEvent;
    'cp-navigate': NavigateEvent;
  }
}
