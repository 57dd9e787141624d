import type { Context } from 'hono';
import { z } from 'zod';
import { billingDetails } from '../../../src/schemas/customer.js';
import { paginationQuery } from '../../../src/schemas/common.js';
import type { Config } from '../../config.js';
import { cachedView, merchantRoutes, portalRouter, type PortalEnv } from '../../http.js';
import { DEFAULT_LIMIT, toPage } from '../../lib/pagination.js';
import { jsonBody, queryParams } from '../../lib/validate.js';
import type { Services } from '../../services.js';
import { purchaseBody, refundBody } from './schemas.js';
import { validTaxId } from '../billing/tax-id.js';
import { orderView } from './views.js';
import { requestLocale } from '../../i18n/index.js';

function ownOrder(services: Services, c: Context<PortalEnv>) {
  const auth = c.get('auth');
  return services.orders.ownOrder(auth.organization.id, auth.customer.id, c.req.param('id')!);
}

function pdf(body: Buffer, filename: string) {
  return new Response(new Uint8Array(body), {
    headers: {
      'Content-Type': 'application/pdf',
      'Content-Disposition': `attachment; filename="${filename}"`,
      'Cache-Control': 'private, no-store',
    },
  });
}

/** /portal/v1/orders: history, details, invoice and receipt PDFs, invoice details. */
export function portalOrderRoutes(services: Services, config: Config) {
  return portalRouter(services, config.publicUrl)
    .get('/', (c) =>
      cachedView(c, services, async () => {
        const auth = c.get('auth');
        const q = queryParams(c, paginationQuery);
        const limit = q.limit ?? DEFAULT_LIMIT;
        const rows = await services.orders.list(auth.organization.id, {
          customerId: auth.customer.id,
          limit,
          ...(q.starting_after ? { startingAfter: q.starting_after } : {}),
        });
        const page = toPage(rows, limit, (r) => r);
        return { ...page, data: await services.orders.viewsWithLines(page.data) };
      }),
    )
    .get('/:id', (c) =>
      cachedView(c, services, async () => {
        const order = await ownOrder(services, c);
        const d = await services.orders.detail(order);
        return orderView(d.order, d.lines, d.refunds, d.method ?? null);
      }),
    )
    .get('/:id/invoice.pdf', async (c) => {
      const order = await ownOrder(services, c);
      const org = await services.organizations.byId(order.organization_id);
      return pdf(
        await services.orders.invoicePdf(org, order, requestLocale(org, c.get('auth').customer, c.req.header('accept-language'))),
        `invoice-${order.invoice_number}.pdf`,
      );
    })
    .get('/:id/receipt.pdf', async (c) => {
      const order = await ownOrder(services, c);
      const org = await services.organizations.byId(order.organization_id);
      return pdf(
        await services.orders.receiptPdf(org, order, requestLocale(org, c.get('auth').customer, c.req.header('accept-language'))),
        `receipt-${order.invoice_number}.pdf`,
      );
    })
    .patch('/:id/invoice-details', async (c) => {
      const order = await ownOrder(services, c);
      const body = validTaxId(await jsonBody(c, billingDetails));
      const updated = await services.orders.updateInvoiceDetails(order, body);
      return c.json(orderView(updated));
    });
}

const orderList = z.object({ ...paginationQuery.shape, customer_id: z.string().optional(), subscription_id: z.string().optional() });

/** /v1/orders and /v1/refunds for the merchant. */
export function merchantOrderRoutes(services: Services) {
  return merchantRoutes()
    .get('/orders', async (c) => {
      const q = queryParams(c, orderList);
      const limit = q.limit ?? DEFAULT_LIMIT;
      const rows = await services.orders.list(c.get('organization').id, {
        limit,
        ...(q.customer_id ? { customerId: q.customer_id } : {}),
        ...(q.subscription_id ? { subscriptionId: q.subscription_id } : {}),
        ...(q.starting_after ? { startingAfter: q.starting_after } : {}),
      });
      return c.json(toPage(rows, limit, (o) => ({ ...orderView(o), customer_id: o.customer_id })));
    })
    .get('/orders/:id', async (c) => {
      const order = await services.orders.get(c.get('organization').id, c.req.param('id'));
      const d = await services.orders.detail(order);
      return c.json({ ...orderView(d.order, d.lines, d.refunds, d.method ?? null), customer_id: order.customer_id });
    })
    .post('/orders', async (c) => {
      const body = await jsonBody(c, purchaseBody);
      const result = await services.orders.purchase(c.get('organization'), body.customer_id, body.items, services);
      return c.json(
        { ...orderView(result.order), customer_id: result.order.customer_id, payment: result.payment },
        // requires_action: recorded and waiting for the customer to confirm it from the portal.
        result.payment.status === 'succeeded' ? 201 : result.payment.status === 'requires_action' ? 202 : 402,
      );
    })
    .post('/refunds', async (c) => {
      const body = await jsonBody(c, refundBody);
      const refund = await services.orders.refund(
        { organizationId: c.get('organization').id, orderId: body.order_id },
        body.amount ?? 'rest',
        body.destination,
        body.reason ?? null,
      );
      return c.json(
        { id: refund.id, amount: refund.amount, destination: refund.destination, status: refund.status, order: orderView(refund.order) },
        refund.status === 'pending' ? 202 : 201,
      );
    });
}
