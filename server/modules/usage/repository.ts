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
      return db.insertInto('meters').values({ ...row, filter: JSON.stringify(row.filter) }).returningAll().executeTakeFirstOrThrow();
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
    async insertEvents(rows: Array<{ organization_id: string; event_id: string; customer_id: string; name: string; properties: object; occurred_at: Date; created_at: Date }>) {
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
      await db.insertInto('meter_unique_hourly').values(rows).onConflict((oc) => oc.doNothing()).execute();
    },
    /** Sum/count and max over whole hours, per range (one query for all ranges). */
    async hourlyTotals(meterId: string, customerId: string, ranges: Range[]) {
      if (!ranges.length) return [];
      const values = sql.join(ranges.map((r, i) => sql`(${i}::int, ${r.start}::timestamptz, ${r.end}::timestamptz)`));
      const result = await sql<{ idx: number; total: string | null; maximum: string | null }>`
        SELECT r.idx, sum(h.total) AS total, max(h.maximum) AS maximum
        FROM (VALUES ${values}) AS r(idx, s, e)
        JOIN meter_usage_hourly h ON h.meter_id = ${meterId} AND h.customer_id = ${customerId} AND h.hour >= r.s AND h.hour < r.e
        GROUP BY r.idx`.execute(db);
      return result.rows;
    },
    async hourlyUnique(meterId: string, customerId: string, ranges: Range[]) {
      if (!ranges.length) return [];
      const values = sql.join(ranges.map((r, i) => sql`(${i}::int, ${r.start}::timestamptz, ${r.end}::timestamptz)`));
      const result = await sql<{ idx: number; value: string }>`
        SELECT DISTINCT r.idx, u.value
        FROM (VALUES ${values}) AS r(idx, s, e)
        JOIN meter_unique_hourly u ON u.meter_id = ${meterId} AND u.customer_id = ${customerId} AND u.hour >= r.s AND u.hour < r.e`.execute(db);
      return result.rows;
    },
    /** Raw events in short windows (the partial hours at the edges of a range). */
    async rawEvents(meter: MeterRow, customerId: string, ranges: Range[]) {
      if (!ranges.length) return [];
      const values = sql.join(ranges.map((r, i) => sql`(${i}::int, ${r.start}::timestamptz, ${r.end}::timestamptz)`));
      const result = await sql<{ idx: number; properties: Record<string, unknown> }>`
        SELECT r.idx, e.properties
        FROM (VALUES ${values}) AS r(idx, s, e)
        JOIN usage_events e ON e.customer_id = ${customerId} AND e.name = ${meter.event_name}
          AND e.occurred_at >= r.s AND e.occurred_at < r.e
          AND e.organization_id = ${meter.organization_id}
          AND e.properties @> ${JSON.stringify(meter.filter)}::jsonb`.execute(db);
      return result.rows;
    },
  };
}
export type UsageRepository = ReturnType<typeof usageRepository>;
