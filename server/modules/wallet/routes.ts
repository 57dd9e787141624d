import { z } from 'zod';
import { paginationQuery } from '../../../src/schemas/common.js';
import type { Config } from '../../config.js';
import type { WalletTransactionsTable } from '../../db/schema.js';
import { merchantRouter, portalRouter, requireSection } from '../../http.js';
import type { Clock } from '../../lib/clock.js';
import { ApiError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { DEFAULT_LIMIT, toPage } from '../../lib/pagination.js';
import { jsonBody, queryParams } from '../../lib/validate.js';
import type { Services } from '../../services.js';
import { currency } from '../catalog/schemas.js';
import type { WalletRepository } from './repository.js';
import type { Selectable } from 'kysely';

export function walletTransactionView(t: Selectable<WalletTransactionsTable>) {
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

const grantBody = z.object({
  customer_id: z.string().min(1),
  amount: z.number().int().min(1).max(100_000_000_00),
  currency,
  kind: z.enum(['promotional', 'prepaid', 'refund']).default('promotional'),
  description: z.string().trim().min(1).max(200),
  expires_at: z.iso.datetime().optional(),
});

const listQuery = z.object({ ...paginationQuery.shape, customer_id: z.string().min(1), currency: currency.optional() });

/** /v1/wallet-credits: the merchant grants credit (promotional, prepaid, refund) and reads the ledger. */
export function merchantWalletRoutes(services: Services, wallet: WalletRepository, clock: Clock) {
  return merchantRouter(services)
    .post('/', async (c) => {
      const org = c.get('organization');
      const body = await jsonBody(c, grantBody);
      const customer = await services.customers.get(org.id, { id: body.customer_id });
      const now = clock.now();
      const expires = body.expires_at ? new Date(body.expires_at) : null;
      if (expires && expires <= now) throw new ApiError(400, 'validation_error', 'expires_at: must be in the future.');
      const id = newId('wtx', now.getTime());
      await wallet.insert({ id, organization_id: org.id, customer_id: customer.id, currency: body.currency, amount: body.amount, kind: body.kind, description: body.description, expires_at: expires, now });
      const balance = await wallet.balance(org.id, customer.id, body.currency, now);
      return c.json({ id, customer_id: customer.id, amount: body.amount, currency: body.currency, kind: body.kind, description: body.description, expires_at: expires?.toISOString() ?? null, balance }, 201);
    })
    .get('/', async (c) => {
      const org = c.get('organization');
      const q = queryParams(c, listQuery);
      const customer = await services.customers.get(org.id, { id: q.customer_id });
      const limit = q.limit ?? DEFAULT_LIMIT;
      const rows = await wallet.list(org.id, customer.id, { limit, ...(q.starting_after ? { startingAfter: q.starting_after } : {}), ...(q.currency ? { currency: q.currency } : {}) });
      return c.json({ ...toPage(rows, limit, walletTransactionView), balances: await wallet.balances(org.id, customer.id, clock.now()) });
    });
}

/** GET /portal/v1/wallet: balances and the credit history, in one request. */
export function portalWalletRoutes(services: Services, config: Config, wallet: WalletRepository, clock: Clock) {
  return portalRouter(services, config.publicUrl)
    .use(requireSection('wallet'))
    .get('/', async (c) => {
      const { organization, customer } = c.get('auth');
      const q = queryParams(c, paginationQuery);
      const limit = q.limit ?? DEFAULT_LIMIT;
      const [rows, balances] = await Promise.all([
        wallet.list(organization.id, customer.id, { limit, ...(q.starting_after ? { startingAfter: q.starting_after } : {}) }),
        wallet.balances(organization.id, customer.id, clock.now()),
      ]);
      return c.json({ balances, transactions: toPage(rows, limit, walletTransactionView) });
    });
}
