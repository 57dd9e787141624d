// The expiring-card job: a month before the customer's default card stops working (cards work
// until the end of their expiry month), one email with a link to the portal's payment methods.
// Once per card per expiry: the claim writes the expiry it told about (expiry_notice_for), so a
// card updated to a new expiry (card updater) is told again a month before that one, and several
// instances running the job never send it twice (FOR UPDATE SKIP LOCKED).
import { emailBrand } from '../organizations/service.js';
import { sql, type Kysely } from 'kysely';
import type { DB, PaymentMethodRow } from '../../db/schema.js';
import type { Background } from '../../lib/background.js';
import { DAY, type Clock } from '../../lib/clock.js';
import { customerLocale, translator } from '../../i18n/index.js';
import { customerRepository } from '../customers/repository.js';
import type { Mailer } from '../email/mailer.js';
import { noticeEmail } from '../email/templates.js';
import { organizationRepository } from '../organizations/repository.js';

/** How long before a card's end the customer is told (the portal shows "Expires soon" as long). */
export const EXPIRY_NOTICE_DAYS = 31;

/** `YYYY-MM` of a card's expiry: the key of its notice. */
export const expiryKey = (m: Pick<PaymentMethodRow, 'exp_month' | 'exp_year'>) => `${m.exp_year}-${String(m.exp_month).padStart(2, '0')}`;

export function cardExpiryNotices(deps: { db: Kysely<DB>; clock: Clock; mailer: Mailer; background: Background; publicUrl: string }) {
  const { db, clock } = deps;

  /** Claims up to `limit` default cards whose end is within EXPIRY_NOTICE_DAYS and not told of yet. */
  async function claim(limit: number): Promise<PaymentMethodRow[]> {
    const now = clock.now();
    const horizon = new Date(now.getTime() + EXPIRY_NOTICE_DAYS * DAY);
    const key = sql<string>`exp_year::text || '-' || lpad(exp_month::text, 2, '0')`;
    const end = sql<Date>`(make_date(exp_year::int, exp_month::int, 1) + interval '1 month')::timestamp at time zone 'UTC'`;
    return db
      .updateTable('payment_methods')
      .set({ expiry_notice_for: key })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('payment_methods')
          .select('id')
          .where('is_default', '=', true)
          .where('detached_at', 'is', null)
          .where(sql<boolean>`${end} > ${now}`)
          .where(sql<boolean>`${end} <= ${horizon}`)
          .where((w) => w.or([w('expiry_notice_for', 'is', null), w('expiry_notice_for', '!=', key)]))
          .limit(limit)
          .forUpdate()
          .skipLocked(),
      )
      .returningAll()
      .execute();
  }

  return {
    /** The job: emails every card due a notice, a batch at a time; returns how many were told. */
    async sendDue(limit = 50): Promise<number> {
      let told = 0;
      for (;;) {
        const cards = await claim(limit);
        for (const card of cards) {
          const org = await organizationRepository(db).findById(card.organization_id);
          const customer = await customerRepository(db).findById(card.organization_id, card.customer_id);
          if (!org || !customer) continue;
          const locale = customerLocale(org, customer);
          const tr = translator(locale);
          const month = new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
            Date.UTC(card.exp_year, card.exp_month - 1, 1),
          );
          const brand = card.brand.charAt(0).toUpperCase() + card.brand.slice(1);
          const rendered = noticeEmail({
            brand: emailBrand(org),
            locale,
            subject: tr.t('cardExpiring.subject', { last4: card.last4 }),
            heading: tr.t('cardExpiring.heading'),
            paragraphs: [tr.t('cardExpiring.body', { brand, last4: card.last4, month })],
            facts: [
              [tr.t('fact.card'), `${brand} •••• ${card.last4}`],
              [tr.t('fact.expires'), month],
            ],
            action: { label: tr.t('action.updatePaymentMethod'), url: `${deps.publicUrl}/${org.slug}/portal#payment-methods` },
          });
          deps.background.run('card expiry email', () => deps.mailer.send({ organizationId: org.id, to: customer.email, ...rendered }));
          told += 1;
        }
        if (cards.length < limit) return told;
      }
    },
  };
}
