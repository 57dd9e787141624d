import { readVersionsColumn } from '../portal-cache/repository.js';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { ENTITLING_STATUSES } from '../benefits/repository.js';

export function authRepository(db: Kysely<DB>) {
  return {
    async retireCodes(organizationId: string, email: string, now: Date) {
      await db
        .updateTable('login_codes')
        .set({ retired_at: now })
        .where('organization_id', '=', organizationId)
        .where('email', '=', email)
        .where('retired_at', 'is', null)
        .execute();
    },
    async insertCode(row: { id: string; organization_id: string; email: string; customer_id: string | null; code_hash: string; expires_at: Date; now: Date }) {
      await db
        .insertInto('login_codes')
        .values({
          id: row.id,
          organization_id: row.organization_id,
          email: row.email,
          customer_id: row.customer_id,
          code_hash: row.code_hash,
          expires_at: row.expires_at,
          created_at: row.now,
        })
        .execute();
    },
    /** The newest code that a new request has not retired. */
    latestCode(organizationId: string, email: string) {
      return db
        .selectFrom('login_codes')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('email', '=', email)
        .where('retired_at', 'is', null)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
    },
    /** Counts a wrong try; returns the new count, or undefined when the code was already dead. */
    async countWrongTry(id: string, maxAttempts: number): Promise<number | undefined> {
      const row = await db
        .updateTable('login_codes')
        .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
        .where('id', '=', id)
        .where('attempts', '<', maxAttempts)
        .where('used_at', 'is', null)
        .returning('attempts')
        .executeTakeFirst();
      return row?.attempts;
    },
    /** Marks a code used; only one caller can win, so a code opens at most one session. */
    async useCode(id: string, now: Date): Promise<boolean> {
      const row = await db
        .updateTable('login_codes')
        .set({ used_at: now })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },
    async insertLinkToken(row: {
      id: string;
      organization_id: string;
      customer_id: string;
      token_hash: string;
      kind: 'pre_auth' | 'email_link';
      login_code_id: string | null;
      return_url: string | null;
      expires_at: Date;
      now: Date;
    }) {
      await db
        .insertInto('link_tokens')
        .values({
          id: row.id,
          organization_id: row.organization_id,
          customer_id: row.customer_id,
          token_hash: row.token_hash,
          kind: row.kind,
          login_code_id: row.login_code_id,
          return_url: row.return_url,
          expires_at: row.expires_at,
          created_at: row.now,
        })
        .execute();
    },
    findLinkToken(tokenHash: string) {
      return db
        .selectFrom('link_tokens')
        .innerJoin('organizations', 'organizations.id', 'link_tokens.organization_id')
        .leftJoin('login_codes', 'login_codes.id', 'link_tokens.login_code_id')
        .selectAll('link_tokens')
        .select(['login_codes.used_at as code_used_at', 'login_codes.retired_at as code_retired_at', 'organizations.allowed_origins as allowed_origins'])
        .where('link_tokens.token_hash', '=', tokenHash)
        .executeTakeFirst();
    },
    async useLinkToken(id: string, now: Date): Promise<boolean> {
      const row = await db
        .updateTable('link_tokens')
        .set({ used_at: now })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },
    async useLinkTokensOfCode(loginCodeId: string, now: Date) {
      await db.updateTable('link_tokens').set({ used_at: now }).where('login_code_id', '=', loginCodeId).where('used_at', 'is', null).execute();
    },
    async insertSession(row: {
      id: string;
      organization_id: string;
      customer_id: string;
      token_hash: string;
      return_url: string | null;
      expires_at: Date;
      now: Date;
    }) {
      await db
        .insertInto('sessions')
        .values({
          id: row.id,
          organization_id: row.organization_id,
          customer_id: row.customer_id,
          token_hash: row.token_hash,
          return_url: row.return_url,
          created_at: row.now,
          last_used_at: row.now,
          expires_at: row.expires_at,
        })
        .execute();
    },
    /** The session, its customer and organization, in one query; only if live. */
    findLiveSession(tokenHash: string, now: Date) {
      return db
        .selectFrom('sessions')
        .innerJoin('customers', 'customers.id', 'sessions.customer_id')
        .innerJoin('organizations', 'organizations.id', 'sessions.organization_id')
        .select([
          'sessions.id as session_id',
          'sessions.last_used_at as session_last_used_at',
          'sessions.expires_at as session_expires_at',
          'sessions.return_url as session_return_url',
          'customers.id as customer_id',
          'customers.email as customer_email',
          'customers.name as customer_name',
          'customers.external_id as customer_external_id',
          'customers.created_at as customer_created_at',
          'customers.billing_details as customer_billing_details',
          'customers.locale as customer_locale',
          'customers.metadata as customer_metadata',
          'customers.provider_customer_ref as customer_provider_customer_ref',
          'customers.updated_at as customer_updated_at',
          'organizations.id as organization_id',
          'organizations.slug as organization_slug',
          'organizations.name as organization_name',
          'organizations.allowed_origins as organization_allowed_origins',
          'organizations.portal_settings as organization_portal_settings',
          'organizations.branding as organization_branding',
          'organizations.billing_settings as organization_billing_settings',
          'organizations.created_at as organization_created_at',
          'organizations.updated_at as organization_updated_at',
          // The read versions the portal's cached answers are checked against (portal-cache).
          readVersionsColumn('customers.id', 'organizations.id').as('read_versions'),
          // Whether to show the past-due banner: answered with the session, no extra query.
          (eb) =>
            eb
              .exists(
                eb
                  .selectFrom('subscriptions')
                  .select('subscriptions.id')
                  .whereRef('subscriptions.customer_id', '=', 'sessions.customer_id')
                  .where('subscriptions.status', 'in', ['past_due', 'unpaid', 'incomplete']),
              )
              .as('past_due'),
          // Whether a payment waits for the customer's authentication: the banner offers "Confirm payment".
          (eb) =>
            eb
              .exists(
                eb
                  .selectFrom('orders')
                  .select('orders.id')
                  .whereRef('orders.customer_id', '=', 'sessions.customer_id')
                  .where('orders.status', '=', 'requires_action'),
              )
              .as('requires_action'),
          // A seat holder with no billing of their own (no subscription, no order): the portal
          // shows them the sections a team member has (CP-Portal-Scope: seat), not the billing tabs.
          (eb) =>
            eb
              .and([
                eb.exists(
                  eb
                    .selectFrom('customer_seats')
                    .innerJoin('subscriptions as seat_sub', 'seat_sub.id', 'customer_seats.subscription_id')
                    .select('customer_seats.id')
                    .whereRef('customer_seats.organization_id', '=', 'sessions.organization_id')
                    .whereRef('customer_seats.customer_id', '=', 'sessions.customer_id')
                    .where('customer_seats.status', '=', 'claimed')
                    .where('seat_sub.status', 'in', [...ENTITLING_STATUSES]),
                ),
                eb.not(
                  eb.exists(
                    eb
                      .selectFrom('subscriptions as own_sub')
                      .select('own_sub.id')
                      .whereRef('own_sub.organization_id', '=', 'sessions.organization_id')
                      .whereRef('own_sub.customer_id', '=', 'sessions.customer_id'),
                  ),
                ),
                eb.not(
                  eb.exists(
                    eb
                      .selectFrom('orders as own_order')
                      .select('own_order.id')
                      .whereRef('own_order.organization_id', '=', 'sessions.organization_id')
                      .whereRef('own_order.customer_id', '=', 'sessions.customer_id'),
                  ),
                ),
              ])
              .as('seat_only'),
          // "Customer since": the earliest of the customer's creation, first order and first
          // subscription (a customer imported after their history began is not "new").
          (eb) =>
            eb
              .fn<Date>('least', [
                eb.ref('customers.created_at'),
                eb
                  .selectFrom('orders as first_order')
                  .select('first_order.created_at')
                  .whereRef('first_order.organization_id', '=', 'sessions.organization_id')
                  .whereRef('first_order.customer_id', '=', 'sessions.customer_id')
                  .orderBy('first_order.id')
                  .limit(1),
                eb
                  .selectFrom('subscriptions as first_sub')
                  .select('first_sub.created_at')
                  .whereRef('first_sub.organization_id', '=', 'sessions.organization_id')
                  .whereRef('first_sub.customer_id', '=', 'sessions.customer_id')
                  .orderBy('first_sub.id')
                  .limit(1),
              ])
              .as('customer_since'),
        ])
        .where('sessions.token_hash', '=', tokenHash)
        .where('sessions.revoked_at', 'is', null)
        .where('sessions.expires_at', '>', now)
        .whereRef('customers.organization_id', '=', 'sessions.organization_id')
        .executeTakeFirst();
    },
    async touchSession(id: string, now: Date, expiresAt: Date) {
      await db.updateTable('sessions').set({ last_used_at: now, expires_at: expiresAt }).where('id', '=', id).execute();
    },
    async revokeSession(id: string, now: Date) {
      await db.updateTable('sessions').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    },
    async revokeCustomerSessions(organizationId: string, customerId: string, now: Date): Promise<number> {
      const rows = await db
        .updateTable('sessions')
        .set({ revoked_at: now })
        .where('organization_id', '=', organizationId)
        .where('customer_id', '=', customerId)
        .where('revoked_at', 'is', null)
        .returning('id')
        .execute();
      return rows.length;
    },
  };
}
export type AuthRepository = ReturnType<typeof authRepository>;
