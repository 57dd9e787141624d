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
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startPostgres } from './postgres.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const here = join(root, 'scripts', 'bench');

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    strict: { type: 'boolean', default: false },
    customers: { type: 'string' },
    orders: { type: 'string' },
    events: { type: 'string' },
    renewals: { type: 'string' },
    seconds: { type: 'string' },
    'renewal-seconds': { type: 'string' },
    'accept-encoding': { type: 'string' },
  },
});
const size = (flag: string | undefined, env: string, full: number, quick: number) => {
  const value = Number(flag ?? process.env[env] ?? (flags.quick ? quick : full));
  if (!Number.isSafeInteger(value) || value < 0)
    throw new Error(`--${env.slice(6).toLowerCase().replaceAll('_', '-')}: expected a whole number ≥ 0, got ${value}`);
  return value;
};
const SIZES = {
  customers: size(flags.customers, 'BENCH_CUSTOMERS', 100_000, 10_000),
  orders: size(flags.orders, 'BENCH_ORDERS', 1_000_000, 100_000),
  events: size(flags.events, 'BENCH_EVENTS', 5_000_000, 500_000),
  renewals: size(flags.renewals, 'BENCH_RENEWALS', 10_000, 1_000),
};
const SECONDS = Math.max(1, size(flags.seconds, 'BENCH_SECONDS', 5, 2));
/** At most this long per renewal run: the rate is what was renewed by then. */
const RENEWAL_SECONDS = Math.max(1, size(flags['renewal-seconds'], 'BENCH_RENEWAL_SECONDS', 180, 60));
/**
 * Sent with every view request when set (e.g. "br, gzip", as a browser sends): the server then
 * compresses JSON answers above 1 KB. Off by default, like the floors, which never compress.
 */
const ACCEPT_ENCODING = flags['accept-encoding'] ?? process.env.BENCH_ACCEPT_ENCODING ?? '';
const CONNECTIONS = 32;
const SECRET = 'bench-secret-long-enough-0123456789abcdef';
const VIEWS = ['me', 'overview', 'subscriptions', 'seats', 'usage', 'orders', 'wallet', 'benefits'] as const;
type View = (typeof VIEWS)[number];
/** Sequential requests per view whose statements are counted, one by one. */
const COUNTED_REQUESTS = 25;

const fmt = (n: number, digits = 0) => n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (us: number) => (us / 1000).toFixed(2);
const log = (line: string) => console.error(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
const started = performance.now();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Processes: every child is tracked and stopped on the way out, whatever happens.

const children = new Set<ChildProcess>();
let postgres: Awaited<ReturnType<typeof startPostgres>> | null = null;

interface Started {
  child: ChildProcess;
  match: RegExpExecArray;
  /** The last 64 KB the process wrote (stdout and stderr). */
  output: () => string;
}

function startProcess(name: string, args: string[], env: Record<string, string>, ready: RegExp, timeoutMs = 600_000): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    let done = false;
    const timer = setTimeout(() => finish(new Error(`${name} did not start within ${timeoutMs / 1000} s:\n${out.slice(-4000)}`)), timeoutMs);
    const finish = (error: Error | null, match?: RegExpExecArray) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve({ child, match: match!, output: () => out });
    };
    const onData = (chunk: Buffer) => {
      out = (out + chunk.toString()).slice(-65_536);
      const match = ready.exec(out);
      if (match) finish(null, match);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code, signal) => {
      children.delete(child);
      finish(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${out.slice(-4000)}`));
    });
  });
}

async function stopProcess(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
  children.delete(child);
}

let cleanedUp = false;
function cleanUpNow() {
  if (cleanedUp) return;
  cleanedUp = true;
  for (const child of children) child.kill('SIGKILL');
  try {
    postgres?.stop();
  } catch (error) {
    console.error('could not stop the bench Postgres:', error);
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    cleanUpNow();
    process.exit(130);
  });
}

// ---------------------------------------------------------------------------------------------
// wrk

interface WrkResult {
  rps: number;
  requests: number;
  p50: number;
  p95: number;
  p99: number;
  /** Answers that were not 2xx/3xx, and socket errors (connect, read, write, timeout). */
  statusErrors: number;
  socketErrors: number;
}

function wrk(url: string, seconds: number, headers: Record<string, string> = {}): Promise<WrkResult> {
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--timeout', '10s', '-s', join(here, 'report.lua')];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  args.push(url);
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = /WRK_JSON (\{.*\})/.exec(out);
      if (code !== 0 || !line) return reject(new Error(`wrk ${url} failed (${code}):\n${out}`));
      const r = JSON.parse(line[1]!) as {
        requests: number;
        duration_us: number;
        status_errors: number;
        socket_errors: number;
        p50_us: number;
        p95_us: number;
        p99_us: number;
      };
      resolve({
        rps: r.requests / (r.duration_us / 1e6),
        requests: r.requests,
        p50: r.p50_us,
        p95: r.p95_us,
        p99: r.p99_us,
        statusErrors: r.status_errors,
        socketErrors: r.socket_errors,
      });
    });
  });
}

/** A short run first (connections, JIT, caches), then the measured one. */
async function measure(url: string, headers: Record<string, string> = {}) {
  await wrk(url, 1, headers);
  return wrk(url, SECONDS, headers);
}

// ---------------------------------------------------------------------------------------------
// SQL

async function query<T extends pg.QueryResultRow = Record<string, unknown>>(client: pg.Client, text: string, params: unknown[] = []) {
  return (await client.query<T>(text, params)).rows;
}

/** Seconds `work` took. */
async function timed(work: () => Promise<unknown>) {
  const t0 = performance.now();
  await work();
  return (performance.now() - t0) / 1000;
}

/** now() to the millisecond: the server's rows hold JavaScript dates, and it compares them (a renewal's guarded update) to what it read. */
const NOW = "date_trunc('milliseconds', now())";

interface Series {
  hello: WrkResult;
  /** The median run of the one-query floor, and the lowest and highest req/s of its runs. */
  floor: WrkResult;
  floorRange: [number, number];
  /** Each view, with the mean req/s of the floor runs just before and after it. */
  views: Record<View, WrkResult & { floor: number }>;
}

const TRANSACTION_CONTROL = /^\s*(begin|start transaction|commit|end|rollback|savepoint|release)\b/i;

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
  postgres = await startPostgres();
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
  const statements: Record<View, { queries: number; transaction: number }> = {} as never;
  for (const view of VIEWS) {
    const url = `${base}/portal/v1/${view}`;
    const first = await fetch(url, { headers: portal });
    if (first.status !== 200) throw new Error(`GET /portal/v1/${view} answered ${first.status}: ${await first.text()}`);
    await first.arrayBuffer();
    // One request at a time, each counted on its own: the median is what a request costs with
    // its session cached (the session is read again once per 2 s, on the request that finds it stale).
    const counts: Array<{ queries: number; transaction: number }> = [];
    for (let i = 0; i < COUNTED_REQUESTS; i++) {
      await admin.query('SELECT pg_stat_statements_reset()');
      const res = await fetch(url, { headers: portal });
      if (res.status !== 200) throw new Error(`GET /portal/v1/${view} answered ${res.status}`);
      await res.arrayBuffer();
      const rows = await query<{ query: string; calls: number }>(admin, `SELECT query, calls::int AS calls FROM pg_stat_statements WHERE userid = $1`, [role]);
      const count = { queries: 0, transaction: 0 };
      for (const row of rows) {
        if (TRANSACTION_CONTROL.test(row.query)) count.transaction += row.calls;
        else count.queries += row.calls;
      }
      counts.push(count);
    }
    counts.sort((a, b) => a.queries - b.queries || a.transaction - b.transaction);
    statements[view] = counts[Math.floor(counts.length / 2)]!;
    const most = counts[counts.length - 1]!;
    log(
      `statements per GET /portal/v1/${view}: ${statements[view].queries}${statements[view].transaction ? ` (+${statements[view].transaction} BEGIN/COMMIT)` : ''}, at most ${most.queries}`,
    );
  }

  // The floors and the views, each view between two runs of the one-query floor: on a shared
  // machine the floor moves, and a view is compared with the floor measured next to it.
  const series = async (label: string): Promise<Series> => {
    const helloUrl = `http://127.0.0.1:${helloPort}/`;
    const floorUrl = `http://127.0.0.1:${floorPort}/`;
    log(`${label}: the floors…`);
    const hellos = [await measure(helloUrl)];
    const floors = [await measure(floorUrl)];
    const views = {} as Series['views'];
    for (const view of VIEWS) {
      log(`${label}: GET /portal/v1/${view}…`);
      const result = await measure(`${base}/portal/v1/${view}`, portal);
      floors.push(await wrk(floorUrl, SECONDS));
      views[view] = { ...result, floor: (floors.at(-2)!.rps + floors.at(-1)!.rps) / 2 };
    }
    hellos.push(await wrk(helloUrl, SECONDS));
    const median = (runs: WrkResult[]) => [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)]!;
    return { hello: median(hellos), floor: median(floors), floorRange: [Math.min(...floors.map((f) => f.rps)), Math.max(...floors.map((f) => f.rps))], views };
  };

  const demo = await series('demo size');

  // 5. Bulk load into the demo organization; Alice keeps her own rows.
  const load: Array<[string, number]> = [];
  const loading = SIZES.customers + SIZES.orders + SIZES.events > 0;
  let loaded: Series | null = null;
  if (loading) {
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
    loaded = await series('loaded');
  }
  await stopProcess(server.child);
  await stopProcess(hello.child);
  await stopProcess(floor.child);

  // 6. Renewals: N subscriptions (their own customers, each with a default test card) made due
  //    at once by one UPDATE, renewed by the jobs of 1, then 2, server processes.
  const price = (
    await query<{ price: string; product: string }>(
      admin,
      `SELECT p.id AS price, p.product_id AS product FROM prices p JOIN products r ON r.id = p.product_id WHERE r.organization_id = $1 AND r.name = 'Starter' LIMIT 1`,
      [org],
    )
  )[0]!;
  const renewals: Array<{
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
  }> = [];
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
  await admin.end();
  const loadAtEnd = os.loadavg()[0]!;

  // 7. The report.
  const lines: string[] = [];
  const p = (line = '') => lines.push(line);
  p(`## npm run bench — ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`);
  p();
  p(
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'CPU'}, load average ${loadAtStart.toFixed(1)} at the start and ${loadAtEnd.toFixed(1)} at the end (the bench's own processes included); Node ${process.version}, Postgres ${pgVersion} (throwaway, fsync off), wrk ${wrkVersion}: -t1 -c${CONNECTIONS}, ${SECONDS} s per row after 1 s of warm-up, loopback, ${ACCEPT_ENCODING ? `Accept-Encoding: ${ACCEPT_ENCODING} on the views` : 'no Accept-Encoding (answers uncompressed)'}. Each view is compared with the one-query floor measured just before and just after it (the floor row: the median of those runs, and their range). SQL statements: pg_stat_statements, the server's database role only, the median of ${COUNTED_REQUESTS} requests counted one by one (the session cached; it is read again once per 2 s)${Object.values(statements).some((c) => c.transaction) ? '; BEGIN/COMMIT after "+"' : ''}.`,
  );
  p(
    `Data: demo (${fmt(demoCounts.customers)} customers, ${fmt(demoCounts.orders)} orders, ${fmt(demoCounts.events)} usage events)${loading ? `; "loaded": + ${fmt(SIZES.customers)} customers, ${fmt(SIZES.orders)} orders, ${fmt(SIZES.events)} usage events in the demo organization (the signed-in demo customer keeps their own rows)` : ''}.`,
  );
  p();
  const head = ['', 'req/s', '× one-query floor', 'SQL statements per request', 'p50 ms', 'p95 ms'];
  if (loaded) head.push('req/s loaded', '× floor loaded', 'p50 ms loaded', 'p95 ms loaded', 'p95 loaded ÷ demo');
  p(`| ${head.join(' | ')} |`);
  p(`|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
  const errorsOf = (r: WrkResult) =>
    r.requests === 0 ? ' (no answer)' : r.statusErrors || r.socketErrors ? ` (${fmt(r.statusErrors)} non-2xx, ${fmt(r.socketErrors)} socket errors)` : '';
  const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : '–');
  const cellsOf = (r: WrkResult, floorRps: number, rps?: string) => [rps ?? fmt(r.rps) + errorsOf(r), ratio(r.rps, floorRps), ms(r.p50), ms(r.p95)];
  const row = (name: string, stmts: string, d: string[], l?: string[], p95?: string) => {
    const cells = [name, d[0]!, d[1]!, stmts, d[2]!, d[3]!];
    if (loaded && l) cells.push(...l, p95 ?? '');
    p(`| ${cells.join(' | ')} |`);
  };
  const stmtCell = (c: { queries: number; transaction: number }) => `${c.queries}${c.transaction ? ` + ${c.transaction}` : ''}`;
  const range = (x: Series) => `${fmt(x.floor.rps)} (${fmt(x.floorRange[0])}–${fmt(x.floorRange[1])})`;
  row('node:http hello world', '', cellsOf(demo.hello, demo.floor.rps), loaded ? cellsOf(loaded.hello, loaded.floor.rps) : undefined);
  row(
    'node:http + pg, one indexed query (the floor)',
    '1',
    cellsOf(demo.floor, demo.floor.rps, range(demo)),
    loaded ? cellsOf(loaded.floor, loaded.floor.rps, range(loaded)) : undefined,
  );
  for (const view of VIEWS) {
    const d = demo.views[view];
    const l = loaded?.views[view];
    row(`GET /portal/v1/${view}`, stmtCell(statements[view]), cellsOf(d, d.floor), l ? cellsOf(l, l.floor) : undefined, l ? ratio(l.p95, d.p95) : undefined);
  }
  p();
  if (loading)
    p(`Bulk load: ${load.map(([what, t]) => `${what} ${t.toFixed(1)} s`).join(', ')}; ${load.reduce((sum, [, t]) => sum + t, 0).toFixed(0)} s in all.`);
  if (renewals.length) {
    p();
    p(
      `| Renewals: ${fmt(SIZES.renewals)} subscriptions due at once, renewed by the jobs | renewals/s | renewed | seconds | renewal orders | charges | SQL statements per renewal | transactions per renewal | errors logged |`,
    );
    p('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of renewals) {
      const note = r.ended === 'time' ? ` (stopped after ${RENEWAL_SECONDS} s)` : r.ended === 'stalled' ? ' (stalled: no progress for 60 s)' : '';
      p(
        `| ${r.instances} server process${r.instances > 1 ? 'es' : ''} on the same Postgres${note} | ${fmt(r.renewed / r.seconds, 1)} | ${fmt(r.finalRenewed)} | ${r.seconds.toFixed(1)} | ${fmt(r.orders)} | ${fmt(r.charged)} | ${r.statements.toFixed(1)} | ${r.transactions.toFixed(1)} | ${r.errors} |`,
      );
    }
  }
  // Targets (issue #15), each a ratio to what this run measured.
  const targets: Array<[string, boolean, string]> = [];
  const x = (v: View) => demo.views[v].rps / demo.views[v].floor;
  const slow = VIEWS.filter((v) => !(x(v) >= 0.5));
  targets.push([
    'every portal view ≥ 0.5 × the one-query floor (req/s, demo size)',
    slow.length === 0,
    slow.length ? slow.map((v) => `${v} ${x(v).toFixed(2)}`).join(', ') : `lowest ${Math.min(...VIEWS.map(x)).toFixed(2)}`,
  ]);
  const chatty = VIEWS.filter((v) => statements[v].queries > 4);
  targets.push([
    '≤ 4 SQL statements per view',
    chatty.length === 0,
    chatty.length ? chatty.map((v) => `${v} ${stmtCell(statements[v])}`).join(', ') : `most ${Math.max(...VIEWS.map((v) => statements[v].queries))}`,
  ]);
  if (loaded) {
    const growth = (v: View) => loaded.views[v].p95 / demo.views[v].p95;
    const flat = VIEWS.filter((v) => !(growth(v) <= 1.5));
    targets.push([
      `p95 at ${fmt(SIZES.orders)} orders ≤ 1.5 × the demo size's`,
      flat.length === 0,
      flat.length ? flat.map((v) => `${v} ${growth(v).toFixed(2)}`).join(', ') : `highest ${Math.max(...VIEWS.map(growth)).toFixed(2)}`,
    ]);
  }
  const failedRenewals = renewals.filter((r) => r.ended === 'stalled' || r.orders !== r.finalRenewed || r.charged !== r.finalRenewed);
  if (renewals.length)
    targets.push([
      'renewals: each renewed subscription has one order and one charge, no stall',
      failedRenewals.length === 0,
      failedRenewals
        .map((r) => `${r.instances}: ${r.finalRenewed} renewed, ${r.orders} orders, ${r.charged} charges${r.ended === 'stalled' ? ', stalled' : ''}`)
        .join('; ') || renewals.map((r) => `${r.instances}: ${fmt(r.finalRenewed)} renewed`).join(', '),
    ]);
  p();
  p('| Target | | |');
  p('|---|---|---|');
  for (const [what, ok, detail] of targets) p(`| ${what} | ${ok ? 'PASS' : 'FAIL'} | ${detail} |`);
  p();
  p(`Run took ${((performance.now() - started) / 1000).toFixed(0)} s.`);

  const report = `${lines.join('\n')}\n`;
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  writeFileSync(join(root, 'bench-results', 'latest.md'), report);
  console.log(`\n${report}`);
  console.error('(written to bench-results/latest.md)');
  return targets.every(([, ok]) => ok);
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
