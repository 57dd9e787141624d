// What every part of the orders module shares: its dependencies, running work in the caller's
// transaction (or one of its own), and crediting an order's money to the customer's wallet.
import type { Kysely } from 'kysely';
import type { DB, OrderRow } from '../../db/schema.js';
import type { Background } from '../../lib/background.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import type { Mailer } from '../email/mailer.js';
import type { PaymentService } from '../payments/service.js';
import { walletRepository } from '../wallet/repository.js';
import type { WebhookService } from '../webhooks/service.js';

export interface OrderDeps {
  db: Kysely<DB>;
  clock: Clock;
  payments: PaymentService;
  webhooks: WebhookService;
  background: Background;
  mailer: Mailer;
  /** Where the customer emails link to (the portal). */
  publicUrl: string;
  /** Benefits follow orders: called after a purchase is paid or an order refunded (benefits.syncCustomer). */
  onEntitlementsChanged?: (organizationId: string, customerId: string) => Promise<void>;
  logger?: Logger;
  /**
   * A payment that waited for the customer's authentication was settled (settleAuthentication):
   * the subscription it belongs to follows (restored, or its change finished). Idempotent.
   */
  onAuthenticationSettled?: (order: OrderRow, outcome: 'succeeded' | 'failed') => Promise<void>;
}

/** Runs `work` in the caller's transaction when `x` is one, else in a transaction of its own. */
export function inTransaction<T>(x: Kysely<DB>, work: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  return x.isTransaction ? work(x) : x.transaction().execute(work);
}

/** Credits `amount` of an order's currency to its customer's wallet, in the transaction `trx`. */
export function creditWallet(trx: Kysely<DB>, order: OrderRow, amount: number, kind: 'refund' | 'adjustment', description: string, now: Date) {
  return walletRepository(trx).insert({
    id: newId('wtx', now.getTime()),
    organization_id: order.organization_id,
    customer_id: order.customer_id,
    currency: order.currency,
    amount,
    kind,
    description,
    order_id: order.id,
    now,
  });
}
