// The renewals run: N subscriptions (their own customers, each with a default test card) made due
// at once by one UPDATE, renewed by the jobs of 1, then 2, server processes on the same Postgres,
// counted in the database until all are renewed.
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type pg from 'pg';
import { fmt, freePort, log, RENEWAL_SECONDS, SECRET, SIZES } from './options.js';
import { type Started, startProcess, stopProcess } from './processes.js';
import { NOW, query, TRANSACTION_CONTROL } from './sql.js';

export interface RenewalRun {
  instances: number;
  seconds: number;
  /** Renewed when the clock stopped, and once the processes had stopped. */
  renewed: number;
  finalRenewed: number;
  ended: 'done' | 'time' | 'stalled';
  orders: number;
  charged: number;
  errors: number;
  /** The jobs' statements (claims and idle steps included) ÷ renewals, and transactions ÷ renewals. */
  statements: number;
  transactions: number;
}

/** Runs the renewals of SIZES.renewals subscriptions in organization `org`; `role` is the server's database role (its statements are counted). */
export async function renewalRuns(admin: pg.Client, org: string, serverUrl: string, role: number): Promise<RenewalRun[]> {
  const price = (
    await query<{ price: string; product: string }>(
      admin,
      `SELECT p.id AS price, p.product_id AS product FROM prices p JOIN products r ON r.id = p.product_id WHERE r.organization_id = $1 AND r.name = 'Starter' LIMIT 1`,
      [org],
    )
  )[0]!;
  const renewals: RenewalRun[] = [];
  if (SIZES.renewals > 0) {
    for (const instances of [1, 2]) {
      const tag = `renew${instances}_`;
      log(`renewals, ${instances} instance${instances > 1 ? 's' : ''}: making ${fmt(SIZES.renewals)} subscriptions…`);
      const id = (prefix: string) => `'${prefix}_${tag}' || lpad(g::text, 7, '0')`;
      await admin.query(
        `INSERT INTO customers (id, organization_id, email, name, provider_customer_ref, created_at, updated_at)
         SELECT ${id('cus')}, $1, '${tag}' || g || '@example.com', 'Renewal ' || g, ${id('tcus')}, ${NOW}, ${NOW} FROM generate_series(1, $2::int) g`,
        [org, SIZES.renewals],
      );
      await admin.query(
        `INSERT INTO payment_methods (id, organization_id, customer_id, provider, provider_ref, brand, last4, exp_month, exp_year, is_default, created_at)
         SELECT ${id('pm')}, $1, ${id('cus')}, 'test', ${id('tpm')} || '.ok', 'visa', '4242', 12, 2034, true, ${NOW} FROM generate_series(1, $2::int) g`,
        [org, SIZES.renewals],
      );
      await admin.query(
        `INSERT INTO subscriptions (id, organization_id, customer_id, product_id, price_id, status, seats, billing_anchor, periods_elapsed, current_period_start, current_period_end, created_at, updated_at)
         SELECT ${id('sub')}, $1, ${id('cus')}, $3, $4, 'active', 1, ${NOW}, 1, ${NOW}, ${NOW} + interval '1 month', ${NOW}, ${NOW} FROM generate_series(1, $2::int) g`,
        [org, SIZES.renewals, price.product, price.price],
      );
      await admin.query('ANALYZE customers, payment_methods, subscriptions');
      const running: Started[] = [];
      for (let i = 0; i < instances; i++) {
        const p = await freePort();
        running.push(
          await startProcess(
            `renewal instance ${i + 1}`,
            ['--import', 'tsx', 'server/main.ts'],
            {
              PORT: String(p),
              HOST: '127.0.0.1',
              PUBLIC_URL: `http://127.0.0.1:${p}`,
              DATABASE_URL: serverUrl,
              LOG_LEVEL: 'info',
              JOBS_INTERVAL_SECONDS: '1',
              SECRET,
            },
            /"msg":"server started"/,
            120_000,
          ),
        );
      }
      const mine = `id LIKE 'sub_${tag}%'`;
      // A renewal moves periods_elapsed from 1 to 2.
      const countRenewed = async () =>
        (await query<{ n: number }>(admin, `SELECT count(*)::int AS n FROM subscriptions WHERE ${mine} AND periods_elapsed > 1`))[0]!.n;
      await admin.query('SELECT pg_stat_statements_reset()');
      await admin.query(
        `UPDATE subscriptions SET billing_anchor = ${NOW} - interval '1 month 1 minute', current_period_start = ${NOW} - interval '1 month 1 minute',
           current_period_end = ${NOW} - interval '1 minute', updated_at = ${NOW} WHERE ${mine}`,
      );
      const t0 = performance.now();
      let renewed = 0;
      let lastProgress = t0;
      let lastLog = t0;
      let ended: 'done' | 'time' | 'stalled' = 'done';
      while (renewed < SIZES.renewals) {
        await delay(250);
        const now = await countRenewed();
        if (now > renewed) lastProgress = performance.now();
        renewed = now;
        if (performance.now() - lastLog > 15_000) {
          lastLog = performance.now();
          log(`renewals, ${instances} instance${instances > 1 ? 's' : ''}: ${fmt(renewed)} of ${fmt(SIZES.renewals)}…`);
        }
        if (renewed >= SIZES.renewals) break;
        if (performance.now() - t0 > RENEWAL_SECONDS * 1000) ended = 'time';
        else if (performance.now() - lastProgress > 60_000) ended = 'stalled';
        else continue;
        break;
      }
      const seconds = (performance.now() - t0) / 1000;
      // Stopped as an operator stops them: each finishes the renewal it is on and releases its claims.
      for (const r of running) await stopProcess(r.child);
      const errors = running.reduce((n, r) => n + (r.output().match(/"level":(50|60)/g)?.length ?? 0), 0);
      const stats = await query<{ query: string; calls: number }>(admin, `SELECT query, calls::int AS calls FROM pg_stat_statements WHERE userid = $1`, [role]);
      const finalRenewed = await countRenewed();
      // Cut short: what is still due is moved out of the way of the next run.
      if (ended !== 'done') await admin.query(`UPDATE subscriptions SET current_period_end = ${NOW} + interval '1 year' WHERE ${mine} AND periods_elapsed = 1`);
      const counts = (
        await query<{ orders: number; charged: number }>(
          admin,
          `SELECT (SELECT count(*) FROM orders o JOIN subscriptions s ON s.id = o.subscription_id WHERE s.${mine} AND o.billing_reason = 'subscription_cycle')::int AS orders,
                  (SELECT count(*) FROM test_provider_charges WHERE payment_method_ref LIKE 'tpm_${tag}%' AND status = 'succeeded')::int AS charged`,
        )
      )[0]!;
      const perRenewal = (filter: (q: string) => boolean) =>
        finalRenewed ? stats.filter((r) => filter(r.query)).reduce((n, r) => n + r.calls, 0) / finalRenewed : 0;
      renewals.push({
        instances,
        seconds,
        renewed,
        finalRenewed,
        ended,
        ...counts,
        errors,
        statements: perRenewal((q) => !TRANSACTION_CONTROL.test(q)),
        transactions: perRenewal((q) => /^\s*(begin|start transaction)\b/i.test(q)),
      });
      log(`renewals, ${instances} instance${instances > 1 ? 's' : ''}: ${fmt(renewed)} in ${seconds.toFixed(1)} s = ${fmt(renewed / seconds)}/s`);
    }
  }
  return renewals;
}
