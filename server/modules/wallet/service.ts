// The customer's wallet: credit the merchant grants, the ledger and the balances the portal and
// the merchant read, and writing off expired credit (the jobs). Spending credit and crediting
// refunds happen inside the orders and subscription transactions (wallet/repository.ts).
import type { Selectable } from 'kysely';
import type { WalletTransactionsTable } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { ApiError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { CustomerService } from '../customers/service.js';
import type { WalletRepository } from './repository.js';
import type { CreditGrant } from './schemas.js';
import type { WalletTransaction } from '../../../src/schemas/wallet.js';

export function walletService(deps: { repo: WalletRepository; clock: Clock; customers: Pick<CustomerService, 'get'> }) {
  const { repo, clock } = deps;

  return {
    /** Credit the merchant grants a customer; an expiry must be in the future. */
    async grant(organizationId: string, input: CreditGrant) {
      const customer = await deps.customers.get(organizationId, { id: input.customer_id });
      const now = clock.now();
      const expires = input.expires_at ? new Date(input.expires_at) : null;
      if (expires && expires <= now) throw new ApiError(400, 'validation_error', 'expires_at: must be in the future.');
      const id = newId('wtx', now.getTime());
      await repo.insert({
        id,
        organization_id: organizationId,
        customer_id: customer.id,
        currency: input.currency,
        amount: input.amount,
        kind: input.kind,
        description: input.description,
        expires_at: expires,
        now,
      });
      const balance = await repo.balance(organizationId, customer.id, input.currency, now);
      return {
        id,
        customer_id: customer.id,
        amount: input.amount,
        currency: input.currency,
        kind: input.kind,
        description: input.description,
        expires_at: expires?.toISOString() ?? null,
        balance,
      };
    },

    /** The merchant's view of a customer's wallet: a page of the ledger (newest first, one row over `limit`) and the balances. */
    async ledger(organizationId: string, customerId: string, opts: { limit: number; startingAfter?: string; currency?: string }) {
      const customer = await deps.customers.get(organizationId, { id: customerId });
      const rows = await repo.list(organizationId, customer.id, opts);
      return { rows, balances: await repo.balances(organizationId, customer.id, clock.now()) };
    },

    /** The portal's wallet view: the balances and a page of the ledger, read together. */
    async portal(organizationId: string, customerId: string, opts: { limit: number; startingAfter?: string }) {
      const [rows, balances] = await Promise.all([repo.list(organizationId, customerId, opts), repo.balances(organizationId, customerId, clock.now())]);
      return { rows, balances };
    },

    /** What the customer can spend now, per currency. */
    balances: (organizationId: string, customerId: string) => repo.balances(organizationId, customerId, clock.now()),
    /** balances as a query for a statement of lists (lib/json-rows.ts); balancesFromJson reads it. */
    balancesQuery: (organizationId: string, customerId: string, at: Date) => repo.balancesQuery(organizationId, customerId, at),

    /** The jobs: writes off what is left of expired credits. */
    expireDue: () => repo.expireDue(clock.now()),
  };
}
export type WalletService = ReturnType<typeof walletService>;

export function walletTransactionView(t: Selectable<WalletTransactionsTable>): WalletTransaction {
  return {
    id: t.id,
    amount: t.amount,
    currency: t.currency,
    kind: t.kind,
    description: t.description,
    order_id: t.order_id,
    expires_at: t.expires_at?.toISOString() ?? null,
    remaining: t.amount > 0 ? t.remaining : null,
    created_at: t.created_at.toISOString(),
  };
}
