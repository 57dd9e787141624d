import type { Kysely } from 'kysely';
import { emailBrand } from '../organizations/service.js';
import type { DB, Organization } from '../../db/schema.js';
import type { Background } from '../../lib/background.js';
import { MINUTE, type Clock } from '../../lib/clock.js';
import { hmac, safeEqualHex, sixDigitCode } from '../../lib/crypto.js';
import { ApiError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { Mailer } from '../email/mailer.js';
import { emailChangeEmail, noticeEmail } from '../email/templates.js';
import { customerLocale, translator } from '../../i18n/index.js';
import { resolvePortalSettings } from '../organizations/settings.js';
import type { RateLimiter } from '../rate-limits/service.js';
import type { CustomerService } from './service.js';

const CODE_TTL_MS = 15 * MINUTE;
const MAX_ATTEMPTS = 5;

/**
 * A customer changes their email: a code goes to the new address and the change happens
 * only when it comes back (so nobody can move an account to an address they do not own).
 * The old address is told afterwards.
 */
export function emailChangeService(deps: {
  db: Kysely<DB>;
  clock: Clock;
  secret: string;
  customers: CustomerService;
  rateLimiter: RateLimiter;
  mailer: Mailer;
  background: Background;
  publicUrl: string;
}) {
  const { db, clock } = deps;
  const hash = (changeId: string, code: string) => hmac(deps.secret, `email-change:${changeId}:${code}`);

  function assertEnabled(org: Organization) {
    if (!resolvePortalSettings(org.portal_settings).actions.email_change) {
      throw new ApiError(403, 'action_disabled', 'Changing your email here is turned off. Contact support to change it.');
    }
  }

  return {
    /**
     * The same answer whether or not another account uses `newEmail`, so the form cannot be
     * used to find out who has an account: a code goes to the address only when it can become
     * this customer's (its real owner, if it is someone else's, gets nothing). The hourly limit
     * counts the codes asked for, not requests refused (the address unchanged, turned off).
     */
    async request(org: Organization, customerId: string, newEmail: string) {
      assertEnabled(org);
      const customer = await deps.customers.get(org.id, { id: customerId });
      if (customer.email === newEmail) throw new ApiError(400, 'email_unchanged', 'That is already your email address.');
      await deps.rateLimiter.hit({ key: `email-change:${customerId}`, max: 5, windowMs: 60 * MINUTE });
      const taken = Boolean(await deps.customers.findByEmail(org.id, newEmail));
      const now = clock.now();
      const id = newId('ec', now.getTime());
      const code = sixDigitCode();
      // Taken: a change is still waiting (so verifying says "incorrect" as it would), but its
      // code was never sent to anyone.
      const stored = taken ? sixDigitCode() + sixDigitCode() : code;
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('email_changes')
          .set({ retired_at: now })
          .where('customer_id', '=', customerId)
          .where('used_at', 'is', null)
          .where('retired_at', 'is', null)
          .execute();
        await trx
          .insertInto('email_changes')
          .values({
            id,
            organization_id: org.id,
            customer_id: customerId,
            new_email: newEmail,
            code_hash: hash(id, stored),
            expires_at: new Date(now.getTime() + CODE_TTL_MS),
            created_at: now,
          })
          .execute();
      });
      const answer = { email: newEmail, expires_at: new Date(now.getTime() + CODE_TTL_MS).toISOString() };
      if (taken) return answer;
      const mail = emailChangeEmail({ brand: emailBrand(org), locale: customerLocale(org, customer), code, minutes: CODE_TTL_MS / MINUTE });
      deps.background.run('email change code', () => deps.mailer.send({ organizationId: org.id, to: newEmail, ...mail }));
      return answer;
    },

    async verify(org: Organization, customerId: string, code: string) {
      assertEnabled(org);
      const now = clock.now();
      const pending = await db
        .selectFrom('email_changes')
        .selectAll()
        .where('organization_id', '=', org.id)
        .where('customer_id', '=', customerId)
        .where('retired_at', 'is', null)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (!pending || pending.used_at) throw new ApiError(400, 'code_invalid', 'There is no email change waiting. Start again.');
      if (pending.attempts >= MAX_ATTEMPTS) throw new ApiError(400, 'code_exhausted', 'Too many wrong tries. Ask for a new code.');
      if (pending.expires_at <= now) throw new ApiError(400, 'code_expired', 'That code has expired. Ask for a new code.');
      if (!safeEqualHex(pending.code_hash, hash(pending.id, code))) {
        const row = await db
          .updateTable('email_changes')
          .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
          .where('id', '=', pending.id)
          .returning('attempts')
          .executeTakeFirstOrThrow();
        const left = MAX_ATTEMPTS - row.attempts;
        if (left <= 0) throw new ApiError(400, 'code_exhausted', 'Too many wrong tries. Ask for a new code.');
        throw new ApiError(400, 'code_incorrect', `That code is incorrect. ${left} ${left === 1 ? 'try' : 'tries'} left.`, { attempts_left: left });
      }
      const used = await db
        .updateTable('email_changes')
        .set({ used_at: now })
        .where('id', '=', pending.id)
        .where('used_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (!used) throw new ApiError(400, 'code_invalid', 'That code was already used.');
      const before = await deps.customers.get(org.id, { id: customerId });
      const updated = await deps.customers.update(org.id, { id: customerId }, { email: pending.new_email });
      const locale = customerLocale(org, before);
      const { t } = translator(locale);
      const notice = noticeEmail({
        brand: emailBrand(org),
        locale,
        subject: t('emailChanged.subject', { organization: org.name }),
        heading: t('emailChanged.heading'),
        paragraphs: [t('emailChanged.body', { email: pending.new_email, organization: org.name })],
        action: { label: t('action.openPortal'), url: `${deps.publicUrl}/${org.slug}/portal` },
      });
      deps.background.run('email changed notice', () => deps.mailer.send({ organizationId: org.id, to: before.email, ...notice }));
      return updated;
    },
  };
}
export type EmailChangeService = ReturnType<typeof emailChangeService>;
