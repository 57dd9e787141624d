import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB, WebhookEndpointsTable } from '../../db/schema.js';

export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;

export interface WebhookDeliveryLogRow {
  id: string;
  event_id: string;
  type: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A delivery claimed by one worker: everything needed to send it, and the attempt it is on. */
export interface ClaimedDelivery {
  id: string;
  attempts: number;
  event_id: string;
  payload: Record<string, unknown>;
  url: string;
  secret: string;
  /** Still signing next to `secret` until its expiry (a rotation in the last 24 h). */
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
}

export interface EndpointFields {
  url?: string;
  events?: string[];
  enabled?: boolean;
}

/**
 * All SQL for webhooks out. Endpoint and log queries name the organization; the delivery
 * job works across organizations (it only ever touches rows it has claimed).
 */
export function webhookRepository(db: Kysely<DB>) {
  return {
    findEndpoint(organizationId: string, id: string): Promise<WebhookEndpointRow | undefined> {
      return db.selectFrom('webhook_endpoints').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
    },

    listEndpoints(organizationId: string, opts: { limit: number; startingAfter?: string }): Promise<WebhookEndpointRow[]> {
      let q = db.selectFrom('webhook_endpoints').selectAll().where('organization_id', '=', organizationId);
      if (opts.startingAfter) q = q.where('id', '<', opts.startingAfter);
      return q
        .orderBy('id', 'desc')
        .limit(opts.limit + 1)
        .execute();
    },

    insertEndpoint(row: {
      id: string;
      organization_id: string;
      url: string;
      secret: string;
      events: string[];
      enabled: boolean;
      now: Date;
    }): Promise<WebhookEndpointRow> {
      return db
        .insertInto('webhook_endpoints')
        .values({
          id: row.id,
          organization_id: row.organization_id,
          url: row.url,
          secret: row.secret,
          events: JSON.stringify(row.events),
          enabled: row.enabled,
          created_at: row.now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    /** A new secret; the current one keeps signing beside it until `keepOldUntil`. */
    rotateSecret(organizationId: string, id: string, secret: string, keepOldUntil: Date): Promise<WebhookEndpointRow | undefined> {
      return db
        .updateTable('webhook_endpoints')
        .set((eb) => ({ previous_secret: eb.ref('secret'), previous_secret_expires_at: keepOldUntil, secret }))
        .where('organization_id', '=', organizationId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
    },

    updateEndpoint(organizationId: string, id: string, fields: EndpointFields & { secret?: string }): Promise<WebhookEndpointRow | undefined> {
      const set = {
        ...(fields.url !== undefined ? { url: fields.url } : {}),
        ...(fields.events !== undefined ? { events: JSON.stringify(fields.events) } : {}),
        ...(fields.enabled !== undefined ? { enabled: fields.enabled } : {}),
        ...(fields.secret !== undefined ? { secret: fields.secret } : {}),
      };
      if (Object.keys(set).length === 0) return this.findEndpoint(organizationId, id);
      return db.updateTable('webhook_endpoints').set(set).where('organization_id', '=', organizationId).where('id', '=', id).returningAll().executeTakeFirst();
    },

    /** Its deliveries go with it (ON DELETE CASCADE), so nothing pending is sent afterwards. */
    async deleteEndpoint(organizationId: string, id: string): Promise<boolean> {
      const result = await db.deleteFrom('webhook_endpoints').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    /** Newest first; delivery ids start with their event's time-ordered id. */
    listDeliveries(organizationId: string, endpointId: string, opts: { limit: number; startingAfter?: string }): Promise<WebhookDeliveryLogRow[]> {
      let q = db
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhook_events as e', 'e.id', 'd.event_id')
        .select([
          'd.id',
          'd.event_id',
          'e.type',
          'd.status',
          'd.attempts',
          'd.last_status_code',
          'd.last_error',
          'd.next_attempt_at',
          'd.created_at',
          'd.updated_at',
        ])
        .where('d.organization_id', '=', organizationId)
        .where('d.endpoint_id', '=', endpointId);
      if (opts.startingAfter) q = q.where('d.id', '<', opts.startingAfter);
      return q
        .orderBy('d.id', 'desc')
        .limit(opts.limit + 1)
        .execute();
    },

    /**
     * One statement: the event, and a pending delivery for each enabled endpoint of the
     * organization subscribed to its type. Runs on `executor`, so a caller's transaction
     * commits the event together with the change it describes. A delivery's id is
     * `wd_` + the event's ULID + the endpoint's ULID: unique per (event, endpoint) and
     * ordered by the event's time.
     */
    async insertEvent(
      executor: Kysely<DB>,
      event: { id: string; organization_id: string; type: string; payload: Record<string, unknown>; now: Date },
    ): Promise<number> {
      const rows = await executor
        .with('ev', (q) =>
          q
            .insertInto('webhook_events')
            .values({
              id: event.id,
              organization_id: event.organization_id,
              type: event.type,
              payload: JSON.stringify(event.payload),
              created_at: event.now,
            })
            .returning('id'),
        )
        .insertInto('webhook_deliveries')
        .columns(['id', 'organization_id', 'event_id', 'endpoint_id', 'status', 'attempts', 'next_attempt_at', 'created_at', 'updated_at'])
        .expression((eb) =>
          eb
            .selectFrom(['webhook_endpoints as ep', 'ev'])
            .select([
              sql<string>`'wd_' || split_part(ev.id, '_', 2) || split_part(ep.id, '_', 2)`.as('id'),
              'ep.organization_id',
              'ev.id as event_id',
              'ep.id as endpoint_id',
              sql.lit('pending').as('status'),
              sql.lit(0).as('attempts'),
              sql<Date>`${event.now}::timestamptz`.as('next_attempt_at'),
              sql<Date>`${event.now}::timestamptz`.as('created_at'),
              sql<Date>`${event.now}::timestamptz`.as('updated_at'),
            ])
            .where('ep.organization_id', '=', event.organization_id)
            .where('ep.enabled', '=', true)
            .where(sql<boolean>`ep.events @> ${JSON.stringify([event.type])}::jsonb`),
        )
        .returning('id')
        .execute();
      return rows.length;
    },

    /**
     * Claims up to `limit` due deliveries for one worker, in one short statement:
     * the rows are locked with FOR UPDATE SKIP LOCKED (another worker skips them), and
     * their next_attempt_at moves to `leaseUntil` and attempts goes up by one, so once
     * this commits no other worker picks them up until the lease runs out. A worker that
     * dies mid-send leaves the delivery to be sent again (same webhook-id) after the lease.
     * Deliveries of disabled endpoints are claimed too (without counting an attempt), so
     * the caller can close them instead of finding them due again on every run.
     */
    async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<Array<ClaimedDelivery & { enabled: boolean }>> {
      const result = await sql<ClaimedDelivery & { enabled: boolean }>`
        WITH due AS (
          SELECT id FROM webhook_deliveries
           WHERE status = 'pending' AND next_attempt_at <= ${now}::timestamptz
           ORDER BY next_attempt_at
           LIMIT ${limit}
             FOR UPDATE SKIP LOCKED
        )
        UPDATE webhook_deliveries AS d
           SET attempts = d.attempts + CASE WHEN ep.enabled THEN 1 ELSE 0 END,
               next_attempt_at = ${leaseUntil}::timestamptz,
               updated_at = ${now}::timestamptz
          FROM due, webhook_events AS e, webhook_endpoints AS ep
         WHERE d.id = due.id AND e.id = d.event_id AND ep.id = d.endpoint_id
        RETURNING d.id, d.attempts, e.id AS event_id, e.payload, ep.url, ep.secret, ep.previous_secret, ep.previous_secret_expires_at, ep.enabled`.execute(db);
      return result.rows;
    },

    /**
     * Records the outcome of one attempt. Only the worker holding that attempt may write
     * it (status still pending and attempts unchanged since the claim).
     */
    async recordAttempt(
      id: string,
      attempt: number,
      outcome: { status: 'pending' | 'succeeded' | 'failed'; statusCode: number | null; error: string | null; nextAttemptAt: Date | null; now: Date },
    ): Promise<boolean> {
      const result = await db
        .updateTable('webhook_deliveries')
        .set({
          status: outcome.status,
          last_status_code: outcome.statusCode,
          last_error: outcome.error,
          next_attempt_at: outcome.nextAttemptAt,
          updated_at: outcome.now,
        })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('attempts', '=', attempt)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}
export type WebhookRepository = ReturnType<typeof webhookRepository>;
