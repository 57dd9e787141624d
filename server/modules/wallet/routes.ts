import { paginationQuery } from '../../../src/schemas/common.js';
import type { Config } from '../../config.js';
import { cachedView, merchantRoutes, portalRouter, requireSection } from '../../http.js';
import { DEFAULT_LIMIT, toPage } from '../../lib/pagination.js';
import { jsonBody, queryParams } from '../../lib/validate.js';
import type { Services } from '../../services.js';
import { creditGrant, ledgerQuery } from './schemas.js';
import { walletTransactionView } from './service.js';

/** /v1/wallet-credits: the merchant grants credit (promotional, prepaid, refund) and reads the ledger. */
export function merchantWalletRoutes(services: Services) {
  return merchantRoutes()
    .post('/', async (c) => {
      const body = await jsonBody(c, creditGrant);
      return c.json(await services.wallet.grant(c.get('organization').id, body), 201);
    })
    .get('/', async (c) => {
      const q = queryParams(c, ledgerQuery);
      const limit = q.limit ?? DEFAULT_LIMIT;
      const { rows, balances } = await services.wallet.ledger(c.get('organization').id, q.customer_id, {
        limit,
        ...(q.starting_after ? { startingAfter: q.starting_after } : {}),
        ...(q.currency ? { currency: q.currency } : {}),
      });
      return c.json({ ...toPage(rows, limit, walletTransactionView), balances });
    });
}

/** GET /portal/v1/wallet: balances and the credit history, in one request. */
export function portalWalletRoutes(services: Services, config: Config) {
  return portalRouter(services, config.publicUrl)
    .use(requireSection('wallet'))
    .get('/', (c) =>
      cachedView(c, services, async () => {
        const { organization, customer } = c.get('auth');
        const q = queryParams(c, paginationQuery);
        const limit = q.limit ?? DEFAULT_LIMIT;
        const { rows, balances } = await services.wallet.portal(organization.id, customer.id, {
          limit,
          ...(q.starting_after ? { startingAfter: q.starting_after } : {}),
        });
        return { balances, transactions: toPage(rows, limit, walletTransactionView) };
      }),
    );
}
