import type { Kysely } from 'kysely';
import type { Config } from './config.js';
import type { DB } from './db/schema.js';
import type { Background } from './lib/background.js';
import type { Clock } from './lib/clock.js';
import { authRepository } from './modules/auth/repository.js';
import { authService } from './modules/auth/service.js';
import { customerRepository } from './modules/customers/repository.js';
import { customerService, merchantCustomerView } from './modules/customers/service.js';
import type { Mailer } from './modules/email/mailer.js';
import { devOutboxList, merchantEmailList } from './modules/email/outbox.js';
import { organizationRepository } from './modules/organizations/repository.js';
import { organizationService } from './modules/organizations/service.js';
import { rateLimiter } from './modules/rate-limits/service.js';
import { webhookService } from './modules/webhooks/service.js';
import { catalogRepository } from './modules/catalog/repository.js';
import { catalogService } from './modules/catalog/service.js';
import type { PaymentProvider } from './modules/payments/provider.js';
import { paymentRepository } from './modules/payments/repository.js';
import { paymentService } from './modules/payments/service.js';
import { stripeEventService } from './modules/payments/stripe-events.js';
import { cardExpiryNotices } from './modules/payments/expiry.js';
import { testProvider } from './modules/payments/test-provider.js';
import { orderService } from './modules/orders/service.js';
import { OPERATION_LEASE_MS, subscriptionService } from './modules/subscriptions/service.js';
import { jobRunner } from './jobs.js';
import { emailChangeService } from './modules/customers/email-change.js';
import { usageService } from './modules/usage/service.js';
import { benefitService } from './modules/benefits/service.js';
import { seatRepository } from './modules/seats/repository.js';
import { seatService } from './modules/seats/service.js';
import { walletRepository } from './modules/wallet/repository.js';
import { walletService } from './modules/wallet/service.js';
import { overviewService } from './modules/overview/service.js';
import { customerDataExport } from './modules/customers/export.js';
import { subscriptionRepository } from './modules/subscriptions/repository.js';
import { idempotencyRepository } from './modules/idempotency/repository.js';
import { idempotencyService } from './modules/idempotency/service.js';
import { hostedTokenRepository, hostedTokenService } from './modules/hosted/tokens.js';
import type { Logger } from './lib/logger.js';
import { readVersionsRepository } from './modules/portal-cache/repository.js';
import { portalCache } from './modules/portal-cache/service.js';
import type { Metrics } from './modules/ops/metrics.js';

export interface ServiceDeps {
  db: Kysely<DB>;
  config: Config;
  clock: Clock;
  mailer: Mailer;
  background: Background;
  logger: Logger;
  /** Counters for /metrics (jobs, renewals). */
  metrics?: Metrics;
  /** Outgoing webhook requests (tests may pass their own). */
  fetch?: typeof fetch;
  /** The payment processor; the offline test provider when not given. */
  paymentProvider?: PaymentProvider;
}

/** Wires repositories into services. One place, so a module never builds another's pieces. */
export function createServices(deps: ServiceDeps) {
  const { db, clock, config } = deps;
  // A changed organization is read afresh by its customers' sessions (auth, built below, caches them with its row).
  let forgetOrganization: (id: string) => void = () => {};
  const organizations = organizationService(organizationRepository(db), clock, (org) => forgetOrganization(org.id));
  const outgoing = webhookService({
    db,
    clock,
    logger: deps.logger,
    allowPrivateUrls: config.webhookAllowPrivateUrls,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  // Every change of a customer's billing state emits an event: the cached session forgets
  // the customer then, so the past-due flag and profile are read afresh.
  let forgetCustomer: (id: string) => void = () => {};
  const webhooks: typeof outgoing = {
    ...outgoing,
    emit: (executor, organizationId, type, data) => {
      const customerId = (data as { customer_id?: unknown }).customer_id;
      if (typeof customerId === 'string') forgetCustomer(customerId);
      return outgoing.emit(executor, organizationId, type, data);
    },
  };
  const customers = customerService(customerRepository(db), clock, (row) => {
    forgetCustomer(row.id);
    return webhooks.emit(db, row.organization_id, 'customer.updated', merchantCustomerView(row));
  });
  const limiter = rateLimiter(db, clock, config.secret);
  const auth = authService({
    repo: authRepository(db),
    customers,
    rateLimiter: limiter,
    mailer: deps.mailer,
    background: deps.background,
    clock,
    secret: config.secret,
    publicUrl: config.publicUrl,
  });
  forgetCustomer = (id) => auth.forgetCustomer(id);
  forgetOrganization = (id) => auth.forgetOrganization(id);
  const emailChange = emailChangeService({
    db,
    clock,
    secret: config.secret,
    customers,
    rateLimiter: limiter,
    mailer: deps.mailer,
    background: deps.background,
    publicUrl: config.publicUrl,
  });
  const catalog = catalogService(catalogRepository(db), clock);
  const provider = deps.paymentProvider ?? testProvider(db, clock);
  // Subscriptions read by services built before the subscription service.
  const subscriptionReads = subscriptionRepository(db);
  const liveSubscriptions = (orgId: string, customerId: string) => subscriptionReads.liveForCustomer(orgId, customerId);
  const payments = paymentService({ repo: paymentRepository(db), provider, customers, clock, liveSubscriptions });
  const benefits = benefitService({ db, clock, config, rateLimiter: limiter, logger: deps.logger });
  // Billing changes first, grants follow: a failed reconcile is logged, not turned into a failed payment.
  const onEntitlementsChanged = (orgId: string, customerId: string) =>
    benefits.syncCustomer(orgId, customerId).catch((error: unknown) => deps.logger.error({ err: error, customer: customerId }, 'benefit sync failed'));
  const orders = orderService({
    onEntitlementsChanged,
    // A payment the customer authenticated (or could not): its subscription follows.
    onAuthenticationSettled: (order, outcome) => subscriptions.afterAuthentication(order, outcome),
    logger: deps.logger,
    db,
    clock,
    payments,
    webhooks,
    background: deps.background,
    mailer: deps.mailer,
    publicUrl: config.publicUrl,
  });
  const usage = usageService({ db, clock, catalog, liveSubscriptions, findCustomers: (orgId, refs) => customers.findMany(orgId, refs) });
  const wallet = walletService({ repo: walletRepository(db), clock, customers });
  const subscriptions = subscriptionService({
    usageItems: (orgId, customerId, price, start, end) => usage.usageItems(orgId, customerId, price, start, end),
    usageItemsMany: (customerId, requests) => usage.usageItemsMany(customerId, requests),
    onEntitlementsChanged,
    countAssignedSeats: (subscriptionId, x) => seatRepository(x).countAssigned(subscriptionId),
    db,
    clock,
    catalog,
    customers,
    orders,
    webhooks,
    mailer: deps.mailer,
    background: deps.background,
    logger: deps.logger,
    publicUrl: config.publicUrl,
    metrics: deps.metrics,
  });
  const stripeEvents = stripeEventService({
    db,
    clock,
    logger: deps.logger,
    provider,
    orders,
    webhooks,
    afterOrderPaid: async (order) => {
      // Restores a past-due subscription, or finishes the change in flight the order paid for (SCA).
      await subscriptions.afterAuthentication(order, 'succeeded');
      await onEntitlementsChanged(order.organization_id, order.customer_id);
    },
    afterDefaultCardChanged: (orgId, customerId) => subscriptions.onPaymentMethodChanged(orgId, customerId),
  });
  const seats = seatService({
    db,
    clock,
    publicUrl: config.publicUrl,
    organizations,
    customers,
    subscriptions,
    catalog,
    benefits,
    auth,
    webhooks,
    mailer: deps.mailer,
    background: deps.background,
    rateLimiter: limiter,
  });
  const expiryNotices = cardExpiryNotices({ db, clock, mailer: deps.mailer, background: deps.background, publicUrl: config.publicUrl });
  const jobs = jobRunner({
    subscriptions,
    webhooks,
    logger: deps.logger,
    expireCredits: () => wallet.expireDue(),
    cardExpiryNotices: () => expiryNotices.sendDue(),
    settleRefunds: () => orders.settlePendingRefunds(new Date(clock.now().getTime() - OPERATION_LEASE_MS)),
    ...(deps.mailer.deliverDue ? { deliverEmails: () => deps.mailer.deliverDue!() } : {}),
    metrics: deps.metrics,
  });
  const overview = overviewService({ subscriptions, orders, benefits, wallet, seats });
  const dataExport = customerDataExport(db, clock);
  const idempotency = idempotencyService(idempotencyRepository(db), clock);
  // What was emailed to the organization's customers, and what could not be (the durable outbox).
  const emails = { list: merchantEmailList(db), devOutbox: devOutboxList(db) };
  const hostedTokens = hostedTokenService(hostedTokenRepository(db), clock);
  // Portal answers served again while the read versions prove them current (modules/portal-cache).
  const portalAnswers = portalCache({
    repo: readVersionsRepository(db),
    clock,
    maxAgeMs: (config.portalCacheSeconds ?? 10) * 1000,
    maxBytes: 32 * 1024 * 1024,
  });
  return {
    organizations,
    customers,
    hostedTokens,
    auth,
    rateLimiter: limiter,
    webhooks,
    catalog,
    payments,
    stripeEvents,
    orders,
    subscriptions,
    jobs,
    idempotency,
    usage,
    wallet,
    overview,
    dataExport,
    benefits,
    seats,
    emailChange,
    emails,
    portalAnswers,
  };
}
export type Services = ReturnType<typeof createServices>;
