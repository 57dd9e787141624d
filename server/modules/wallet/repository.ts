import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DB, WalletTransactionKind } from '../../db/schema.js';

/** The wallet ledger. A balance is the sum of unexpired credits minus what was used. */
export function walletRepository(db: Kysely<DB>) {
  return {
    async balance(organizationId: string, customerId: string, currency: string, now: Date): Promise<number> {
      const row = await db
        .selectFrom('wallet_transactions')
        .select(sql<number>`coalesce(sum(amount), 0)::bigint`.as('balance'))
        .where('organization_id', '=', organizationId)
        .where('customer_id', '=', customerId)
        .where('currency', '=', currency)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .executeTakeFirstOrThrow();
      return Math.max(0, Number(row.balance));
    },
    /** Balance per currency (unexpired credits minus use), for currencies the customer ever had. */
    async balances(organizationId: string, customerId: string, now: Date): Promise<Array<{ currency: string; balance: number }>> {
      const rows = await db
        .selectFrom('wallet_transactions')
        .select(['currency', sql<number>`coalesce(sum(amount) filter (where expires_at is null or expires_at > ${now}), 0)::bigint`.as('balance')])
        .where('organization_id', '=', organizationId)
        .where('customer_id', '=', customerId)
        .groupBy('currency')
        .orderBy('currency')
        .execute();
      return rows.map((r) => ({ currency: r.currency, balance: Math.max(0, Number(r.balance)) }));
    },
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
          kind: row.kind,
          description: row.description,
          order_id: row.order_id ?? null,
          expires_at: row.expires_at ?? null,
          created_at: row.now,
        })
        .execute();
    },
  };
}
