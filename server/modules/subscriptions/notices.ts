// The emails the subscription engine sends a customer, in the customer's language, after the
// change they describe is committed (never for an effect that did not happen).
import { emailBrand } from '../organizations/service.js';
import type { CustomerRow, OrderRow, Organization, ProductRow } from '../../db/schema.js';
import { customerLocale, isMessageKey, translator, type Translator } from '../../i18n/index.js';
import { noticeEmail } from '../email/templates.js';
import type { SubscriptionDeps } from './context.js';

export function subscriptionNotices(deps: Pick<SubscriptionDeps, 'publicUrl' | 'background' | 'mailer'>) {
  /**
   * The hosted portal, opened at `route` (its hash routes, src/portal/routes.ts): the invoice,
   * the card form, the subscriptions.
   */
  function portalUrl(org: Organization, route?: string) {
    return `${deps.publicUrl}/${org.slug}/portal${route ? `#cp/${route}` : ''}`;
  }

  /** An email to the customer, written in their language: `write` gets the translator for it. */
  function notify(org: Organization, customer: CustomerRow, write: (tr: Translator) => Omit<Parameters<typeof noticeEmail>[0], 'brand' | 'locale'>) {
    const locale = customerLocale(org, customer);
    const rendered = noticeEmail({ brand: emailBrand(org), locale, ...write(translator(locale)) });
    deps.background.run('billing email', () => deps.mailer.send({ organizationId: org.id, to: customer.email, ...rendered }));
  }

  return {
    portalUrl,
    /** The first invoice of a subscription paid (started), or a failed one paid after all (received). */
    paid(org: Organization, customer: CustomerRow, product: ProductRow, order: OrderRow, kind: 'started' | 'received') {
      notify(org, customer, ({ t, money }) => ({
        subject: kind === 'started' ? t('subscriptionStarted.subject', { product: product.name }) : t('paymentReceived.subject', { product: product.name }),
        heading: kind === 'started' ? t('subscriptionStarted.heading') : t('paymentReceived.heading'),
        paragraphs: [
          kind === 'started' ? t('subscriptionStarted.body', { product: product.name }) : t('paymentReceived.body', { invoice: order.invoice_number }),
        ],
        facts: [
          [t('fact.invoice'), order.invoice_number],
          [t('fact.amount'), money(order.total, order.currency)],
        ],
        action: { label: t('action.viewInPortal'), url: portalUrl(org, `orders/${encodeURIComponent(order.id)}`) },
      }));
    },

    renewed(org: Organization, customer: CustomerRow, product: ProductRow, order: OrderRow, start: Date, end: Date) {
      notify(org, customer, ({ t, money, date }) => ({
        subject: t('renewed.subject', { product: product.name }),
        heading: t('renewed.heading'),
        paragraphs: [t('renewed.body', { start: date(start), end: date(end) })],
        facts: [
          [t('fact.invoice'), order.invoice_number],
          [t('fact.amount'), money(order.total, order.currency)],
          [t('fact.nextRenewal'), date(end)],
        ],
        action: { label: t('action.viewInvoice'), url: portalUrl(org, `orders/${encodeURIComponent(order.id)}`) },
      }));
    },

    paymentFailed(org: Organization, customer: CustomerRow, product: ProductRow, order: OrderRow, failure: { code: string; message: string }) {
      notify(org, customer, ({ t, money }) => {
        const decline = `decline.${failure.code}`;
        return {
          subject: t('paymentFailed.subject', { product: product.name }),
          heading: t('paymentFailed.heading'),
          paragraphs: [
            t('paymentFailed.body', { invoice: order.invoice_number, reason: isMessageKey(decline) ? t(decline) : failure.message }),
            t('paymentFailed.retry'),
          ],
          facts: [[t('fact.amountDue'), money(order.total, order.currency)]],
          action: { label: t('action.updatePaymentMethod'), url: portalUrl(org, 'settings/payment-method') },
        };
      });
    },

    changed(
      org: Organization,
      customer: CustomerRow,
      subscriptionId: string,
      plan: { product: ProductRow; price: { model: string; currency: string }; seats: number; walletCredit: number },
      order: OrderRow | null,
    ) {
      notify(org, customer, ({ t, money }) => ({
        subject: t('changed.subject', { product: plan.product.name }),
        heading: t('changed.heading'),
        paragraphs: [
          plan.price.model === 'per_seat'
            ? t('changed.bodySeats', { product: plan.product.name, count: plan.seats })
            : t('changed.body', { product: plan.product.name }),
        ],
        facts: [
          ...(order ? ([[t('fact.chargedNow'), money(order.total, order.currency)]] as Array<[string, string]>) : []),
          ...(plan.walletCredit ? ([[t('fact.walletCredit'), money(plan.walletCredit, plan.price.currency)]] as Array<[string, string]>) : []),
        ],
        action: { label: t('action.viewInPortal'), url: portalUrl(org, `subscriptions/${encodeURIComponent(subscriptionId)}`) },
      }));
    },

    cancelScheduled(org: Organization, customer: CustomerRow, subscriptionId: string, product: ProductRow, end: Date) {
      notify(org, customer, ({ t, date }) => ({
        subject: t('cancelScheduled.subject', { product: product.name, date: date(end) }),
        heading: t('cancelScheduled.heading'),
        paragraphs: [t('cancelScheduled.body', { date: date(end) })],
        action: { label: t('action.manageSubscription'), url: portalUrl(org, `subscriptions/${encodeURIComponent(subscriptionId)}`) },
      }));
    },

    canceled(
      org: Organization,
      customer: CustomerRow,
      product: ProductRow,
      refund: { amount: number; currency: string; destination: 'payment_method' | 'wallet' } | null,
    ) {
      notify(org, customer, ({ t, money }) => ({
        subject: t('canceled.subject', { product: product.name }),
        heading: t('canceled.heading'),
        paragraphs: [
          t('canceled.body'),
          ...(refund
            ? [t(refund.destination === 'wallet' ? 'canceled.refundToWallet' : 'canceled.refundToCard', { amount: money(refund.amount, refund.currency) })]
            : []),
        ],
        action: { label: t('action.openPortal'), url: portalUrl(org) },
      }));
    },
  };
}
export type SubscriptionNotices = ReturnType<typeof subscriptionNotices>;
