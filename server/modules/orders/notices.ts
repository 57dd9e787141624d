// The email the orders module sends a customer, in the customer's language, after the change it
// describes is committed: the confirmation of a one-time purchase once it is paid, and the request
// to confirm a payment the card's bank wants the customer to authenticate.
import { emailBrand } from '../organizations/service.js';
import type { CustomerRow, OrderRow, Organization } from '../../db/schema.js';
import type { Background } from '../../lib/background.js';
import { customerLocale, translator } from '../../i18n/index.js';
import type { Mailer } from '../email/mailer.js';
import { noticeEmail } from '../email/templates.js';

export function orderNotices(deps: { publicUrl: string; background: Background; mailer: Mailer }) {
  return {
    /** A one-time purchase paid: the order number and amount, and the way to the portal. */
    purchasePaid(org: Organization, customer: CustomerRow, order: OrderRow) {
      const locale = customerLocale(org, customer);
      const { t, money } = translator(locale);
      const email = noticeEmail({
        brand: emailBrand(org),
        locale,
        subject: t('order.subject', { organization: org.name, number: order.invoice_number }),
        heading: t('order.heading'),
        paragraphs: [t('order.body')],
        facts: [
          [t('fact.order'), order.invoice_number],
          [t('fact.amount'), money(order.total, order.currency)],
        ],
        // Straight to this order in the hosted portal (its hash route, src/portal/routes.ts).
        action: { label: t('action.viewOrder'), url: `${deps.publicUrl}/${org.slug}/portal#cp/orders/${encodeURIComponent(order.id)}` },
      });
      deps.background.run('order email', () => deps.mailer.send({ organizationId: org.id, to: customer.email, ...email }));
    },

    /**
     * A charge waits for the customer's authentication (3-D Secure): "Confirm your payment", with
     * the amount and the way to the portal, whose banner offers "Confirm payment". Sent for
     * renewals, retries and purchases alike (`what`: the product, or the organization's name).
     */
    confirmPayment(org: Organization, customer: CustomerRow, order: OrderRow, what: string) {
      const locale = customerLocale(org, customer);
      const { t, money } = translator(locale);
      const email = noticeEmail({
        brand: emailBrand(org),
        locale,
        subject: t('confirmPayment.subject', { product: what }),
        heading: t('confirmPayment.heading'),
        paragraphs: [t('confirmPayment.body', { invoice: order.invoice_number }), t('confirmPayment.note')],
        facts: [
          [t('fact.invoice'), order.invoice_number],
          [t('fact.amountDue'), money(order.total, order.currency)],
        ],
        action: { label: t('action.confirmPayment'), url: `${deps.publicUrl}/${org.slug}/portal` },
      });
      deps.background.run('confirm payment email', () => deps.mailer.send({ organizationId: org.id, to: customer.email, ...email }));
    },
  };
}
