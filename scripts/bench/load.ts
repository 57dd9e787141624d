// Loading the data: customers, orders and usage events bulk-loaded into the demo organization
// (generate_series straight into the tables; the signed-in demo customer keeps their own rows).
import type pg from 'pg';
import { fmt, log, SIZES } from './options.js';
import { NOW, query, timed } from './sql.js';

/** Loads SIZES into organization `org`; each step with the seconds it took. */
export async function bulkLoad(admin: pg.Client, org: string): Promise<Array<[string, number]>> {
  const load: Array<[string, number]> = [];
  if ((SIZES.orders || SIZES.events) && !SIZES.customers) throw new Error('--orders and --events need --customers ≥ 1 (the rows belong to them)');
  const customer = (n: string) => `'cus_bulk' || lpad((${n})::text, 9, '0')`;
  // Loaded as a restore would: the secondary indexes dropped and built again after (a sort, not
  // millions of inserts into a b-tree), the foreign-key triggers off for this session (the rows
  // are made consistent). Primary keys stay.
  const tables = ['customers', 'orders', 'usage_events', 'meter_usage_hourly'];
  const indexes = await query<{ name: string; def: string }>(
    admin,
    `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
     WHERE i.schemaname = 'public' AND i.tablename = ANY($1)
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)`,
    [tables],
  );
  await admin.query(`SET session_replication_role = replica`);
  await admin.query(`SET maintenance_work_mem = '512MB'`);
  for (const index of indexes) await admin.query(`DROP INDEX ${index.name}`);
  log(`bulk load: ${fmt(SIZES.customers)} customers…`);
  load.push([
    `${fmt(SIZES.customers)} customers`,
    await timed(() =>
      admin.query(
        `INSERT INTO customers (id, organization_id, email, name, created_at, updated_at)
         SELECT ${customer('g')}, $1, 'bulk' || g || '@example.com', 'Bulk customer ' || g, ${NOW} - interval '200 days', ${NOW} - interval '200 days'
         FROM generate_series(1, $2::int) g`,
        [org, SIZES.customers],
      ),
    ),
  ]);
  log(`bulk load: ${fmt(SIZES.orders)} orders…`);
  load.push([
    `${fmt(SIZES.orders)} orders`,
    await timed(() =>
      admin.query(
        `INSERT INTO orders (id, organization_id, customer_id, invoice_number, billing_reason, status, currency, subtotal, total, paid_at, created_at, updated_at)
         SELECT 'ord_bulk' || lpad(g::text, 10, '0'), $1, ${customer('1 + (g - 1) % $3::int')}, 'BULK-' || g, 'purchase', 'paid', 'USD', 900, 900, t, t, t
         FROM (SELECT g, ${NOW} - (g % 15552000) * interval '1 second' AS t FROM generate_series(1, $2::int) g) s`,
        [org, SIZES.orders, SIZES.customers],
      ),
    ),
  ]);
  // Events of the demo meter's name: `per` for each customer, ten an hour (every 6 minutes from
  // the hour), in hours spread over the last 30 days; and their hourly aggregates as ingest keeps
  // them, made from the same arithmetic (not by grouping millions of rows).
  const meter = (await query<{ id: string }>(admin, `SELECT id FROM meters WHERE organization_id = $1 AND event_name = 'api.request'`, [org]))[0]!.id;
  const per = Math.max(1, Math.ceil(SIZES.events / Math.max(1, SIZES.customers)));
  const hourOf = (c: string, h: string) => `date_trunc('hour', now()) - ((((${c})::bigint * 7919) % 720) + 1 + ${h}) * interval '1 hour'`;
  log(`bulk load: ${fmt(SIZES.events)} usage events…`);
  load.push([
    `${fmt(SIZES.events)} usage events`,
    await timed(() =>
      admin.query(
        `INSERT INTO usage_events (organization_id, event_id, customer_id, name, properties, occurred_at, created_at)
         SELECT $1, 'bulk-' || lpad(g::text, 10, '0'), ${customer('c')}, 'api.request', '{"path": "/v1/projects"}', t, t
         FROM (SELECT g, c, ${hourOf('c', 'k / 10')} + (k % 10) * interval '6 minutes' AS t
               FROM (SELECT g, 1 + (g - 1) / ${per} AS c, (g - 1) % ${per} AS k FROM generate_series(1, $2::int) g) n) e`,
        [org, SIZES.events],
      ),
    ),
  ]);
  const hourly = await timed(() =>
    admin.query(
      `INSERT INTO meter_usage_hourly (meter_id, customer_id, hour, total, maximum)
       SELECT $2, ${customer('c')}, ${hourOf('c', 'h')}, least(10, n - 10 * h), 1
       FROM (SELECT c, least(${per}, $1::int - (c - 1) * ${per}) AS n FROM generate_series(1, ceil($1::int / ${per}::numeric)::int) c) cs
       CROSS JOIN LATERAL generate_series(0, (n - 1) / 10) h`,
      [SIZES.events, meter],
    ),
  );
  const hourlyRows = (
    await query<{ n: number; total: number }>(
      admin,
      `SELECT count(*)::int AS n, sum(total)::int AS total FROM meter_usage_hourly WHERE customer_id LIKE 'cus_bulk%'`,
    )
  )[0]!;
  if (hourlyRows.total !== SIZES.events) throw new Error(`the hourly aggregates add up to ${hourlyRows.total}, not ${SIZES.events}`);
  load.push([`${fmt(hourlyRows.n)} hourly usage aggregates`, hourly]);
  log(`bulk load: building ${indexes.length} indexes…`);
  load.push([
    `${indexes.length} indexes built`,
    await timed(async () => {
      for (const index of indexes) await admin.query(index.def);
    }),
  ]);
  await admin.query(`SET session_replication_role = origin`);
  log('bulk load: VACUUM ANALYZE, CHECKPOINT…');
  load.push([
    'VACUUM ANALYZE, CHECKPOINT',
    await timed(async () => {
      await admin.query('VACUUM ANALYZE customers, orders, usage_events, meter_usage_hourly');
      await admin.query('CHECKPOINT');
    }),
  ]);
  log(`bulk load done in ${load.reduce((s, [, t]) => s + t, 0).toFixed(0)} s`);
  return load;
}
