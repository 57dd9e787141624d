import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DB, WalletTransactionKind } from '../../db/schema.js';
import { newId } from '../../lib/ids.js';
import { revive } from '../../lib/json-rows.js';

/**
 * The wallet ledger. Credits are positive rows that keep what is left of them (`remaining`);
 * using credit draws from the credits that expire soonest and writes one negative row; an
 * expired credit's rest is written off by a negative `expired` row. So the sum of all rows
 * equals the balance once expiries are written, and the balance is always the sum of what
 * is left of unexpired credits.
 */
export function walletRepository(db: Kysely<DB>) {
  const open = (organizationId: string, customerId: string, now: Date) =>
    db
      .selectFrom('wallet_transactions')
      .where('organization_id', '=', organizationId)
      .where('customer_id', '=', customerId)
      .where('remaining', '>', 0)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));

  const openCreditsQuery = (organizationId: string, customerId: string, now: Date) =>
    open(organizationId, customerId, now).select(['currency', 'remaining', 'expires_at']).orderBy(sql`expires_at asc nulls last`).orderBy('id');
  const balancesQuery = (organizationId: string, customerId: string, now: Date) =>
    db
      .selectFrom('wallet_transactions')
      .select([
        'currency',
        sql<number>`coalesce(sum(remaining) filter (where remaining > 0 and (expires_at is null or expires_at > ${now})), 0)::bigint`.as('balance'),
      ])
      .where('organization_id', '=', organizationId)
      .where('customer_id', '=', customerId)
      .groupBy('currency')
      .orderBy('currency');

  return {
    /**
     * Locks the customer's wallet for the rest of the caller's transaction (the customer row is
     * the lock): whoever spends credit reads the balance after this, so credit is spent once.
     * Lock order everywhere: the subscription first, then the wallet.
     */
    async lock(organizationId: string, customerId: string) {
      await db.selectFrom('customers').select('id').where('organization_id', '=', organizationId).where('id', '=', customerId).forUpdate().execute();
    },

    /** What is left of each unexpired credit, soonest-expiring first: the order credit is used in. */
    openCredits(organizationId: string, customerId: string, now: Date) {
      return openCreditsQuery(organizationId, customerId, now).execute();
    },
    /** openCredits as a query for a statement of lists (lib/json-rows.ts; openCreditsFromJson reads it). */
    openCreditsQuery,
    /** prorationCredits of every subscription of a customer, as a query for a statement of lists. */
    customerProrationCreditsQuery(organizationId: string, customerId: string, at: Date) {
      return db
        .selectFrom('wallet_transactions')
        .select(['subscription_id', 'amount', 'period_start', 'period_end'])
        .where('organization_id', '=', organizationId)
        .where('customer_id', '=', customerId)
        .where('kind', '=', 'proration')
        .where('period_end', '>', at)
        .orderBy('id');
    },

    /** Proration credit given for a subscription's time after `at` (an immediate cancellation does not pay it back twice). */
    prorationCredits(subscriptionId: string, at: Date) {
      return db
        .selectFrom('wallet_transactions')
        .select(['amount', 'period_start', 'period_end'])
        .where('subscription_id', '=', subscriptionId)
        .where('kind', '=', 'proration')
        .where('period_end', '>', at)
        .execute();
    },

    async balance(organizationId: string, customerId: string, currency: string, now: Date): Promise<number> {
      const row = await open(organizationId, customerId, now)
        .select(sql<number>`coalesce(sum(remaining), 0)::bigint`.as('balance'))
        .where('currency', '=', currency)
        .executeTakeFirstOrThrow();
      return Number(row.balance);
    },

    /** Balance per currency, for every currency the customer ever had credit in. */
    async balances(organizationId: string, customerId: string, now: Date): Promise<Array<{ currency: string; balance: number }>> {
      return balancesFromJson(await balancesQuery(organizationId, customerId, now).execute());
    },
    /** balances as a query for a statement of lists (balancesFromJson reads it). */
    balancesQuery,

    async insert(row: {
      id: string;
      organization_id: string;
      customer_id: string;
      currency: string;
      amount: number;
      kind: WalletTransactionKind;
      description: string;
      order_id?: string | null;
      expires_at?: Date | null;
      /** Proration credit: the subscription and the stretch of its period it pays back. */
      subscription_id?: string | null;
      period?: { start: Date; end: Date } | null;
      now: Date;
    }) {
      await db
        .insertInto('wallet_transactions')
        .values({
          id: row.id,
          organization_id: row.organization_id,
          customer_id: row.customer_id,
          currency: row.currency,
          amount: row.amount,
          remaining: Math.max(row.amount, 0),
          kind: row.kind,
          description: row.description,
          order_id: row.order_id ?? null,
          expires_at: row.expires_at ?? null,
          subscription_id: row.subscription_id ?? null,
          period_start: row.period?.start ?? null,
          period_end: row.period?.end ?? null,
          created_at: row.now,
        })
        .execute();
    },

    /** Uses `amount` of credit (soonest-expiring first). Call inside the transaction that records its use. */
    async consume(input: {
      organization_id: string;
      customer_id: string;
      currency: string;
      amount: number;
      description: string;
      order_id: string | null;
      now: Date;
    }) {
      const credits = await open(input.organization_id, input.customer_id, input.now)
        .select(['id', 'remaining'])
        .where('currency', '=', input.currency)
        .orderBy(sql`expires_at asc nulls last`)
        .orderBy('id')
        .forUpdate()
        .execute();
      let left = input.amount;
      for (const credit of credits) {
        if (left <= 0) break;
        const take = Math.min(left, Number(credit.remaining));
        await db
          .updateTable('wallet_transactions')
          .set((eb) => ({ remaining: eb('remaining', '-', take) }))
          .where('id', '=', credit.id)
          .execute();
        left -= take;
      }
      if (left > 0) throw new Error('wallet balance is lower than the credit applied');
      await db
        .insertInto('wallet_transactions')
        .values({
          id: newId('wtx', input.now.getTime()),
          organization_id: input.organization_id,
          customer_id: input.customer_id,
          currency: input.currency,
          amount: -input.amount,
          kind: 'applied',
          description: input.description,
          order_id: input.order_id,
          created_at: input.now,
        })
        .execute();
    },

    /** Writes off what is left of credits that have expired. Returns how many. */
    async expireDue(now: Date): Promise<number> {
      const due = await db
        .selectFrom('wallet_transactions')
        .selectAll()
        .where('remaining', '>', 0)
        .where('expires_at', '<=', now)
        .where('expired_at', 'is', null)
        .limit(500)
        .forUpdate()
        .skipLocked()
        .execute();
      for (const credit of due) {
        await db.transaction().execute(async (trx) => {
          const row = await trx
            .updateTable('wallet_transactions')
            .set({ remaining: 0, expired_at: now })
            .where('id', '=', credit.id)
            .where('expired_at', 'is', null)
            .returning('id')
            .executeTakeFirst();
          if (!row) return;
          await trx
            .insertInto('wallet_transactions')
            .values({
              id: newId('wtx', now.getTime()),
              organization_id: credit.organization_id,
              customer_id: credit.customer_id,
              currency: credit.currency,
              amount: -Number(credit.remaining),
              kind: 'expired',
              description: `Expired: ${credit.description}`,
              created_at: now,
            })
            .execute();
        });
      }
      return due.length;
    },

    list(organizationId: string, customerId: string, opts: { limit: number; startingAfter?: string; currency?: string }) {
      let q = db.selectFrom('wallet_transactions').selectAll().where('organization_id', '=', organizationId).where('customer_id', '=', customerId);
      if (opts.currency) q = q.where('currency', '=', opts.currency);
      if (opts.startingAfter) q = q.where('id', '<', opts.startingAfter);
      return q
        .orderBy('id', 'desc')
        .limit(opts.limit + 1)
        .execute();
    },
  };
}
export type WalletRepository = ReturnType<typeof walletRepository>;

/**
 * Credit spent on paper: what is left of each open credit, used soonest-expiring first by
 * invoices in the order they will be charged, so several previews never count the same
 * credit twice and a credit that expires before an invoice's date is not counted for it.
 */
export function balancesFromJson(rows: Array<{ currency: string; balance: unknown }>): Array<{ currency: string; balance: number }> {
  return rows.map((r) => ({ currency: r.currency, balance: Number(r.balance) }));
}

export function openCreditsFromJson(rows: unknown) {
  return revive<{ currency: string; remaining: number; expires_at: Date | null }>(rows, ['expires_at']);
}

export function prorationCreditsFromJson(rows: unknown) {
  return revive<{ subscription_id: string | null; amount: number; period_start: Date | null; period_end: Date | null }>(rows, ['period_start', 'period_end']);
}

export function walletAllocator(credits: Array<{ currency: string; remaining: number; expires_at: Date | null }>) {
  const open = credits.map((c) => ({ currency: c.currency, left: Number(c.remaining), expires_at: c.expires_at }));
  const usable = (currency: string, at: Date) => open.filter((c) => c.currency === currency && c.left > 0 && (!c.expires_at || c.expires_at > at));
  return {
    available: (currency: string, at: Date) => usable(currency, at).reduce((sum, c) => sum + c.left, 0),
    spend(currency: string, at: Date, amount: number) {
      let rest = amount;
      for (const credit of usable(currency, at)) {
        const take = Math.min(rest, credit.left);
        credit.left -= take;
        rest -= take;
        if (rest <= 0) break;
      }
    },
  };
}
