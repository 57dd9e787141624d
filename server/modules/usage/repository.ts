import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DB, MeterRow } from '../../db/schema.js';

export interface Range {
  start: Date;
  end: Date;
}

export function usageRepository(db: Kysely<DB>) {
  return {
    insertMeter(row: Omit<MeterRow, 'filter'> & { filter: object }) {
      return db
        .insertInto('meters')
        .values({ ...row, filter: JSON.stringify(row.filter) })
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    findMeter(organizationId: string, id: string) {
      return db.selectFrom('meters').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
    },
    findMeterByName(organizationId: string, name: string) {
      return db.selectFrom('meters').selectAll().where('organization_id', '=', organizationId).where('name', '=', name).executeTakeFirst();
    },
    listMeters(organizationId: string) {
      return db.selectFrom('meters').selectAll().where('organization_id', '=', organizationId).orderBy('id').execute();
    },
    metersForEvents(organizationId: string, names: string[]) {
      if (!names.length) return Promise.resolve([]);
      return db.selectFrom('meters').selectAll().where('organization_id', '=', organizationId).where('event_name', 'in', names).execute();
    },
    /** Inserts events; returns only those that were new (an event id seen before is skipped). */
    async insertEvents(
      rows: Array<{ organization_id: string; event_id: string; customer_id: string; name: string; properties: object; occurred_at: Date; created_at: Date }>,
    ) {
      if (!rows.length) return [];
      return db
        .insertInto('usage_events')
        .values(rows.map((r) => ({ ...r, properties: JSON.stringify(r.properties) })))
        .onConflict((oc) => oc.columns(['organization_id', 'event_id']).doNothing())
        .returning(['event_id', 'customer_id', 'name', 'properties', 'occurred_at'])
        .execute();
    },
    async addHourly(rows: Array<{ meter_id: string; customer_id: string; hour: Date; total: number; maximum: number }>) {
      if (!rows.length) return;
      await db
        .insertInto('meter_usage_hourly')
        .values(rows)
        .onConflict((oc) =>
          oc.columns(['meter_id', 'customer_id', 'hour']).doUpdateSet({
            total: sql`meter_usage_hourly.total + excluded.total`,
            maximum: sql`greatest(meter_usage_hourly.maximum, excluded.maximum)`,
          }),
        )
        .execute();
    },
    async addUnique(rows: Array<{ meter_id: string; customer_id: string; hour: Date; value: string }>) {
      if (!rows.length) return;
      await db
        .insertInto('meter_unique_hourly')
        .values(rows)
        .onConflict((oc) => oc.doNothing())
        .execute();
    },
    /**
     * Sum/count and max over whole hours, per range (one query for all ranges). LATERAL makes
     * each range its own index range scan: a plain join over VALUES let the planner scan all
     * of a customer's rows (160 ms with a million events; measured by npm run bench).
     */
    async hourlyTotals(meterId: string, customerId: string, ranges: Range[]) {
      if (!ranges.length) return [];
      const values = sql.join(ranges.map((r, i) => sql`(${i}::int, ${r.start}::timestamptz, ${r.end}::timestamptz)`));
      const result = await sql<{ idx: number; total: string | null; maximum: string | null }>`
        SELECT r.idx, h.total, h.maximum
        FROM (VALUES ${values}) AS r(idx, s, e)
        CROSS JOIN LATERAL (
          SELECT sum(total) AS total, max(maximum) AS maximum FROM meter_usage_hourly
          WHERE meter_id = ${meterId} AND customer_id = ${customerId} AND hour >= r.s AND hour < r.e
        ) h`.execute(db);
      return result.rows;
    },
    async hourlyUnique(meterId: string, customerId: string, ranges: Range[]) {
      if (!ranges.length) return [];
      const values = sql.join(ranges.map((r, i) => sql`(${i}::int, ${r.start}::timestamptz, ${r.end}::timestamptz)`));
      const result = await sql<{ idx: number; value: string }>`
        SELECT DISTINCT r.idx, u.value
        FROM (VALUES ${values}) AS r(idx, s, e)
        CROSS JOIN LATERAL (
          SELECT value FROM meter_unique_hourly
          WHERE meter_id = ${meterId} AND customer_id = ${customerId} AND hour >= r.s AND hour < r.e
        ) u`.execute(db);
      return result.rows;
    },
    /**
     * Raw events in short windows (the partial hours at the edges of ranges). One index range
     * scan per window (OR of ranges: a bitmap OR), never a scan of all of a customer's events;
     * a join against VALUES let the planner do that (160 ms at a million events).
     */
    async rawEvents(meter: MeterRow, customerId: string, ranges: Range[]) {
      if (!ranges.length) return [];
      const windows = sql.join(
        ranges.map((r) => sql`(occurred_at >= ${r.start} AND occurred_at < ${r.end})`),
        sql` OR `,
      );
      const result = await sql<{ occurred_at: Date; properties: Record<string, unknown> }>`
        SELECT occurred_at, properties FROM usage_events
        WHERE customer_id = ${customerId} AND name = ${meter.event_name}
          AND organization_id = ${meter.organization_id}
          AND properties @> ${JSON.stringify(meter.filter)}::jsonb
          AND (${windows})`.execute(db);
      const rows: Array<{ idx: number; properties: Record<string, unknown> }> = [];
      for (const row of result.rows) {
        const t = row.occurred_at.getTime();
        ranges.forEach((r, idx) => {
          if (t >= r.start.getTime() && t < r.end.getTime()) rows.push({ idx, properties: row.properties });
        });
      }
      return rows;
    },
  };
}
export type UsageRepository = ReturnType<typeof usageRepository>;
