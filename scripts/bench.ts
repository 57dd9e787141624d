// `npm run bench [-- --quick] [--strict]`: the numbers behind the budgets in docs/architecture.md.
// Not a test. Everything under load runs in processes of its own, and the load is made by wrk (a
// C load generator, `apt-get install -y wrk`), never by a loop in this process, which measures itself.
//
//   1. Floors: node:http hello world, and node:http + pg doing one indexed query (each its own
//      process, on the same Postgres as the server).
//   2. Each portal view, with a signed-in demo customer's bearer session: req/s with wrk -t1 -c32,
//      × the one-query floor, p50/p95, and the SQL statements per request (pg_stat_statements, the
//      statements of the server's database role only, per request of a sequential series).
//   3. The same views after bulk-loading customers, orders and usage events into the demo
//      organization (generate_series straight into the tables; the demo customer keeps their rows).
//   4. Renewal throughput: subscriptions due at once, renewed by the jobs of one server process,
//      then of two on the same Postgres, counted in the database until all are renewed.
//
// Prints one markdown table and writes it to bench-results/latest.md. PASS/FAIL per target;
// exits 0 regardless unless --strict. Sizes: --customers --orders --events --renewals, --seconds
// per measurement, --renewal-seconds at most per renewal run (or BENCH_CUSTOMERS, BENCH_ORDERS,
// BENCH_EVENTS, BENCH_RENEWALS, BENCH_SECONDS, BENCH_RENEWAL_SECONDS); --accept-encoding "br, gzip"
// asks for compressed answers as a browser does (BENCH_ACCEPT_ENCODING); --quick is a tenth of the
// default sizes, 2 s per measurement, 60 s per renewal run. --customers 0 --orders 0 --events 0
// skips the bulk load; --renewals 0 the renewals.
//
// The pieces are in scripts/bench/: options.ts (flags, sizes), processes.ts (children), measure.ts
// (wrk, the floors and views, statements per view), load.ts (the bulk load), renewals.ts (the
// renewals run), report.ts (the table and the targets).
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startPostgres } from './postgres.mjs';
import { bulkLoad } from './bench/load.js';
import { countStatements, type Series, series } from './bench/measure.js';
import { ACCEPT_ENCODING, flags, fmt, freePort, here, log, SECONDS, SECRET, SIZES } from './bench/options.js';
import { cleanUpNow, startProcess, stopProcess, stopWithChildren } from './bench/processes.js';
import { renewalRuns } from './bench/renewals.js';
import { report } from './bench/report.js';
import { query } from './bench/sql.js';

async function main() {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (error) {
    // wrk --version exits 1 after printing its banner; only a missing binary is an error here.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      console.error('npm run bench needs wrk (a C load generator): apt-get install -y wrk');
      process.exit(1);
    }
  }
  const wrkVersion = /wrk (\S+)/.exec(String(execFileSync('sh', ['-c', 'wrk --version 2>&1 || true'])))?.[1] ?? '?';
  const loadAtStart = os.loadavg()[0]!;
  log(
    `sizes: ${fmt(SIZES.customers)} customers, ${fmt(SIZES.orders)} orders, ${fmt(SIZES.events)} usage events, ${fmt(SIZES.renewals)} renewals; ${SECONDS} s per measurement`,
  );

  // 1. A throwaway Postgres with pg_stat_statements (loaded at start, hence the restart), and a
  //    role and database of the server's own, so its statements are counted apart from ours.
  const postgres = await startPostgres();
  stopWithChildren(postgres);
  const superUrl = postgres.url;
  {
    const c = new pg.Client({ connectionString: superUrl });
    await c.connect();
    await c.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`);
    // The bulk load writes a few GB of WAL: fewer checkpoints while it runs.
    await c.query(`ALTER SYSTEM SET max_wal_size = '8GB'`);
    await c.query(`ALTER SYSTEM SET checkpoint_timeout = '30min'`);
    await c.query(`CREATE ROLE portal LOGIN`);
    await c.query(`CREATE DATABASE portal OWNER portal`);
    await c.end();
    postgres.pause();
    postgres.resume();
  }
  const pgUrl = new URL(superUrl);
  pgUrl.pathname = '/portal';
  const adminUrl = pgUrl.toString();
  pgUrl.username = 'portal';
  const serverUrl = pgUrl.toString();
  const admin = new pg.Client({ connectionString: adminUrl });
  // Postgres stopped under it (an interrupted run): the error is reported where the query fails.
  admin.on('error', () => {});
  await admin.connect();
  await admin.query('CREATE EXTENSION pg_stat_statements');
  const pgVersion = (await query<{ server_version: string }>(admin, 'SHOW server_version'))[0]!.server_version;

  // 2. The server on the demo data, jobs off (nothing but the requests runs SQL).
  log('starting the server and seeding the demo data…');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = await startProcess(
    'the server',
    ['--import', 'tsx', 'server/main.ts', '--demo'],
    { PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: base, DATABASE_URL: serverUrl, LOG_LEVEL: 'warn', JOBS_INTERVAL_SECONDS: '0', SECRET },
    /Merchant API key\s+(sk_\S+)/,
  );
  const merchantKey = server.match[1]!;
  // A second server on the same database that keeps no answer: each view computed, as on a change.
  const computedPort = await freePort();
  const computedServer = await startProcess(
    'the server keeping no answers',
    ['--import', 'tsx', 'server/main.ts'],
    {
      PORT: String(computedPort),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${computedPort}`,
      DATABASE_URL: serverUrl,
      LOG_LEVEL: 'info',
      JOBS_INTERVAL_SECONDS: '0',
      SECRET,
      PORTAL_CACHE_SECONDS: '0',
    },
    /server started/,
  );
  const org = (await query<{ id: string }>(admin, `SELECT id FROM organizations WHERE slug = 'acme'`))[0]!.id;
  const alice = (await query<{ id: string }>(admin, `SELECT id FROM customers WHERE organization_id = $1 AND email = 'alice@example.com'`, [org]))[0]!.id;
  const call = async (path: string, body: unknown, headers: Record<string, string>) => {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  // A signed-in customer, as the merchant's backend signs one in (a pre-authenticated link).
  const link = await call('/v1/customer-sessions', { customer_id: alice }, { authorization: `Bearer ${merchantKey}` });
  const session = await call('/portal/v1/auth/exchange', { token: link.token }, {});
  const portal: Record<string, string> = {
    authorization: `Bearer ${String(session.token)}`,
    ...(ACCEPT_ENCODING ? { 'accept-encoding': ACCEPT_ENCODING } : {}),
  };
  const demoCounts = (
    await query<{ customers: number; orders: number; events: number }>(
      admin,
      `SELECT (SELECT count(*) FROM customers)::int AS customers, (SELECT count(*) FROM orders)::int AS orders, (SELECT count(*) FROM usage_events)::int AS events`,
    )
  )[0]!;

  // 3. The floors.
  const helloPort = await freePort();
  const hello = await startProcess('hello world', [join(here, 'hello.mjs')], { PORT: String(helloPort) }, /ready/);
  const floorPort = await freePort();
  const floor = await startProcess(
    'one-query floor',
    [join(here, 'one-query.mjs')],
    { PORT: String(floorPort), DATABASE_URL: adminUrl, CUSTOMER_ID: alice },
    /ready/,
  );
  const floorCheck = await fetch(`http://127.0.0.1:${floorPort}/`);
  if (floorCheck.status !== 200 || !String(await floorCheck.text()).includes(alice)) throw new Error('the one-query floor does not answer the customer');

  // 4. Statements per view: the server role's statements over a series of sequential requests.
  const role = (await query<{ oid: number }>(admin, `SELECT oid FROM pg_roles WHERE rolname = 'portal'`))[0]!.oid;
  const statements = await countStatements(admin, role, base, portal, alice);

  // The floors and the views, each view between two runs of the one-query floor.
  const urls = { hello: `http://127.0.0.1:${helloPort}/`, floor: `http://127.0.0.1:${floorPort}/`, base, computed: `http://127.0.0.1:${computedPort}` };
  const demo = await series('demo size', urls, portal);

  // 5. Bulk load into the demo organization; Alice keeps her own rows.
  const loading = SIZES.customers + SIZES.orders + SIZES.events > 0;
  let load: Array<[string, number]> = [];
  let loaded: Series | null = null;
  if (loading) {
    load = await bulkLoad(admin, org);
    loaded = await series('loaded', urls, portal);
  }
  await stopProcess(server.child);
  await stopProcess(computedServer.child);
  await stopProcess(hello.child);
  await stopProcess(floor.child);

  // 6. Renewals, with one server process and then two.
  const renewals = await renewalRuns(admin, org, serverUrl, role);
  await admin.end();
  const loadAtEnd = os.loadavg()[0]!;

  // 7. The report.
  return report({ loadAtStart, loadAtEnd, pgVersion, wrkVersion, demoCounts, statements, demo, loading, loaded, load, renewals });
}

let passed = false;
try {
  passed = await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  cleanUpNow();
}
if (flags.strict && !passed && !process.exitCode) process.exitCode = 1;
