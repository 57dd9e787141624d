import type { Kysely, Updateable } from 'kysely';
import { sql } from 'kysely';
import type { DB, SubscriptionRow, SubscriptionsTable } from '../../db/schema.js';
import { statementTemplate } from '../../lib/statement-template.js';

/**
 * How long a claimed renewal or retry is left to the worker that claimed it: a dead process's
 * claims are taken again within a minute. Taken again early is safe (a renewal's order, payment
 * attempt and period update are idempotent), only wasted; batches are small to stay inside it.
 */
export const LEASE_MS = 60 * 1000;

/** Subscriptions that are not over: they need a card, and they renew or may again. */
const LIVE_STATUSES: SubscriptionRow['status'][] = ['active', 'trialing', 'past_due', 'incomplete', 'paused', 'unpaid'];

export function subscriptionRepository(db: Kysely<DB>) {
  /** portalRows' statement, built and compiled once per limit and with or without a cursor (lib/statement-template.ts). */
  const portalRowsStatement = (limit: number, paged: boolean) =>
    statementTemplate(db, (a: { organizationId: string; customerId: string; startingAfter: string }) => {
      let page = db.selectFrom('subscriptions').select('id').where('organization_id', '=', a.organizationId).where('customer_id', '=', a.customerId);
      if (paged) page = page.where('id', '<', a.startingAfter);
      return db
        .with('page', () => page.orderBy('id', 'desc').limit(limit + 1))
        .selectFrom('subscriptions')
        .selectAll('subscriptions')
        .select((eb) => eb('subscriptions.id', 'in', eb.selectFrom('page').select('page.id')).as('in_page'))
        .where('organization_id', '=', a.organizationId)
        .where('customer_id', '=', a.customerId)
        .where((eb) => eb.or([eb('status', 'in', LIVE_STATUSES), eb('subscriptions.id', 'in', eb.selectFrom('page').select('page.id'))]))
        .orderBy('subscriptions.id', 'desc');
    });
  const portalRowsStatements = new Map<string, ReturnType<typeof portalRowsStatement>>();
  /** liveForCustomer's statement, built and compiled when first read (the usage view, a subscription, a new card). */
  let liveStatement: ReturnType<typeof statementTemplate<{ organizationId: string; customerId: string }, SubscriptionRow>> | undefined;
  return {
    insert(row: Omit<SubscriptionRow, 'locked_until' | 'version' | 'operation' | 'past_due_reason'>) {
      return db.insertInto('subscriptions').values(row).returningAll().executeTakeFirstOrThrow();
    },
    find(organizationId: string, id: string) {
      return db.selectFrom('subscriptions').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
    },
    findForCustomer(organizationId: string, customerId: string, id: string) {
      return db
        .selectFrom('subscriptions')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('customer_id', '=', customerId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    /**
     * The subscription, locked for the rest of the caller's transaction: an operation reads
     * the state it decides on only after this, so two at once run one after the other.
     */
    lock(organizationId: string, id: string, customerId?: string) {
      let q = db.selectFrom('subscriptions').selectAll().where('organization_id', '=', organizationId).where('id', '=', id);
      if (customerId) q = q.where('customer_id', '=', customerId);
      return q.forUpdate().executeTakeFirst();
    },
    /** Charged changes started before `before` and never settled (the process died between charge and settle). */
    staleOperations(before: Date, limit: number) {
      return db
        .selectFrom('subscriptions')
        .selectAll()
        .where('operation', 'is not', null)
        .where(sql<string>`operation->>'started_at'`, '<=', before.toISOString())
        .limit(limit)
        .execute();
    },
    list(organizationId: string, opts: { customerId?: string; statuses?: string[]; limit: number; startingAfter?: string }) {
      let q = db.selectFrom('subscriptions').selectAll().where('organization_id', '=', organizationId);
      if (opts.customerId) q = q.where('customer_id', '=', opts.customerId);
      if (opts.statuses?.length) q = q.where('status', 'in', opts.statuses as SubscriptionRow['status'][]);
      if (opts.startingAfter) q = q.where('id', '<', opts.startingAfter);
      return q
        .orderBy('id', 'desc')
        .limit(opts.limit + 1)
        .execute();
    },
    /**
     * Updates only if the row is still as the caller saw it (same period end): a second worker's
     * update is a no-op. Every update is a change: the version goes up.
     */
    async update(id: string, patch: Updateable<SubscriptionsTable>, guard?: { periodEnd?: Date; statuses?: SubscriptionRow['status'][] }) {
      let q = db
        .updateTable('subscriptions')
        .set({ ...patch, version: sql<number>`version + 1` })
        .where('id', '=', id);
      if (guard?.periodEnd) q = q.where('current_period_end', '=', guard.periodEnd);
      if (guard?.statuses) q = q.where('status', 'in', guard.statuses);
      return q.returningAll().executeTakeFirst();
    },
    /**
     * Claims work for a job: rows matching `due`, not leased by another worker, locked with
     * FOR UPDATE SKIP LOCKED so concurrent instances take different rows, and leased for a
     * while so a crashed worker's rows come back later.
     */
    async claim(kind: 'renewal' | 'retry', now: Date, limit: number): Promise<SubscriptionRow[]> {
      const leaseUntil = new Date(now.getTime() + LEASE_MS);
      const due =
        kind === 'renewal'
          ? sql`status IN ('active', 'trialing') AND current_period_end <= ${now} AND operation IS NULL`
          : sql`status = 'past_due' AND next_retry_at <= ${now}`;
      const result = await sql<SubscriptionRow>`
        UPDATE subscriptions SET locked_until = ${leaseUntil}
        WHERE id IN (
          SELECT id FROM subscriptions
          WHERE ${due} AND (locked_until IS NULL OR locked_until <= ${now})
          ORDER BY current_period_end, id
          LIMIT ${limit}
          FOR UPDATE SKIP LOCKED
        )
        RETURNING *`.execute(db);
      // UPDATE … RETURNING comes back in no particular order: renew in the order the previews
      // assume (period end, then id), so a shared wallet is spent as they showed.
      return result.rows.sort((a, b) => a.current_period_end.getTime() - b.current_period_end.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    async release(id: string) {
      await db.updateTable('subscriptions').set({ locked_until: null }).where('id', '=', id).execute();
    },
    /** Live subscriptions of a customer that need a card (anything not canceled). */
    async liveForCustomer(organizationId: string, customerId: string) {
      liveStatement ??= statementTemplate(db, (a: { organizationId: string; customerId: string }) =>
        db
          .selectFrom('subscriptions')
          .selectAll()
          .where('organization_id', '=', a.organizationId)
          .where('customer_id', '=', a.customerId)
          .where('status', 'in', LIVE_STATUSES)
          .orderBy('id'),
      );
      return (await liveStatement('live', { organizationId, customerId })).rows;
    },
    /**
     * A page of a customer's subscriptions (newest first, one over `limit`) and all their live
     * ones (liveForCustomer: the next invoices share the wallet across them), in one statement.
     */
    async portalRows(organizationId: string, customerId: string, opts: { limit: number; startingAfter?: string | undefined }) {
      // An empty cursor (`?starting_after=`) is no cursor, as in every other list.
      const paged = Boolean(opts.startingAfter);
      const shape = `${opts.limit}:${paged}`;
      let run = portalRowsStatements.get(shape);
      if (!run) {
        run = portalRowsStatement(opts.limit, paged);
        // A limit is the client's (1-100): a hundred shapes at most, twice.
        portalRowsStatements.set(shape, run);
      }
      const { rows } = await run(shape, { organizationId, customerId, startingAfter: opts.startingAfter ?? '' });
      const strip = ({ in_page: _, ...row }: (typeof rows)[number]): SubscriptionRow => row;
      return {
        page: rows.filter((r) => r.in_page).map(strip),
        live: rows
          .filter((r) => LIVE_STATUSES.includes(r.status))
          .map(strip)
          .reverse(),
      };
    },
  };
}
export type SubscriptionRepository = ReturnType<typeof subscriptionRepository>;
