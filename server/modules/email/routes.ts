import { z } from 'zod';
import { paginationQuery } from '../../../src/schemas/common.js';
import { merchantRoutes } from '../../http.js';
import { DEFAULT_LIMIT, toPage } from '../../lib/pagination.js';
import { queryParams } from '../../lib/validate.js';
import type { Services } from '../../services.js';

const listQuery = z.object({ ...paginationQuery.shape, status: z.enum(['pending', 'sent', 'failed']).optional() });

/** GET /v1/emails: the organization's emails and their delivery (status=failed: what never arrived). */
export function merchantEmailRoutes(services: Services) {
  return merchantRoutes().get('/', async (c) => {
    const q = queryParams(c, listQuery);
    const limit = q.limit ?? DEFAULT_LIMIT;
    const rows = await services.emails.list(c.get('organization').id, {
      limit,
      ...(q.status ? { status: q.status } : {}),
      ...(q.starting_after ? { startingAfter: q.starting_after } : {}),
    });
    return c.json(
      toPage(rows, limit, (r) => ({
        id: r.id,
        to: r.to_address,
        subject: r.subject,
        status: r.status,
        attempts: r.attempts,
        last_error: r.last_error,
        created_at: r.created_at.toISOString(),
        sent_at: r.sent_at?.toISOString() ?? null,
      })),
    );
  });
}
