// `npm run bench`: numbers for the budgets in docs/architecture.md (not a test: nothing here passes or fails).
//   1. Authenticated read throughput against a bare node:http hello world, same run, same machine.
//   2. GET /portal/v1/usage latency with no events, then with 5 million events loaded.
// Uses a throwaway Postgres (the production setup) unless BENCH_DATABASE_URL is set.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { startPostgres } from './postgres.mjs';

const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 5) * 1000;
const CONCURRENCY = 32;
const EVENTS = Number(process.env.BENCH_EVENTS ?? 5_000_000);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function get(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

/** Requests per second with CONCURRENCY requests in flight for DURATION_MS. */
async function rps(url: string, headers: Record<string, string> = {}) {
  for (let i = 0; i < 200; i++) await get(url, headers); // warm up
  let done = 0;
  let failed = 0;
  const end = performance.now() + DURATION_MS;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const status = await get(url, headers);
        if (status === 200) done++;
        else failed++;
      }
    }),
  );
  if (failed) console.warn(`  (${failed} non-200 answers)`);
  return Math.round(done / (DURATION_MS / 1000));
}

async function latency(url: string, headers: Record<string, string>, n = 200) {
  const times: number[] = [];
  for (let i = 0; i < 20; i++) await get(url, headers);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const status = await get(url, headers);
    if (status !== 200) throw new Error(`GET ${url} answered ${status}`);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(2);
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

function start(cmd: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${cmd} exited with ${code}:\n${out}`)));
  });
}

async function main() {
  const pgServer = process.env.BENCH_DATABASE_URL ? null : await startPostgres();
  const databaseUrl: string = process.env.BENCH_DATABASE_URL ?? pgServer!.url;
  const children: ChildProcess[] = [];
  try {
    // The hello world everything is compared with.
    const helloPort = await freePort();
    children.push(
      await start(
        process.execPath,
        [
          '-e',
          `require('http').createServer((q,s)=>{s.writeHead(200,{'content-type':'application/json'});s.end('{"hello":"world"}')}).listen(${helloPort},'127.0.0.1',()=>console.log('ready'))`,
        ],
        {},
        /ready/,
      ),
    );
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    children.push(
      await start(
        process.execPath,
        ['--import', 'tsx', 'server/main.ts', '--demo'],
        {
          PORT: String(port),
          HOST: '127.0.0.1',
          PUBLIC_URL: base,
          DATABASE_URL: databaseUrl,
          LOG_LEVEL: 'warn',
          JOBS_INTERVAL_SECONDS: '0',
          SECRET: 'bench-secret-long-enough-0123456789abcdef',
        },
        /Merchant API key\s+(sk_\S+)/,
      ),
    );
    await delay(200);
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    const org = (await admin.query(`SELECT id FROM organizations WHERE slug = 'acme'`)).rows[0].id as string;
    // A fresh merchant key for the bench (the printed one is not parsed).
    const { createHash, randomBytes } = await import('node:crypto');
    const secret = `sk_${randomBytes(32).toString('base64url')}`;
    await admin.query(`INSERT INTO api_keys (id, organization_id, name, key_hash, key_hint, created_at) VALUES ($1, $2, 'bench', $3, 'bench', now())`, [
      `key_bench_${Date.now()}`,
      org,
      createHash('sha256').update(secret).digest('hex'),
    ]);
    const merchant = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' };
    const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = merchant) => {
      const res = await fetch(`${base}${path}`, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
      const json = await res.json();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json as any;
    };
    const customer = await call('POST', '/v1/customers', { email: `bench-${Date.now()}@example.com`, name: 'Bench' });
    const session = await call('POST', '/v1/customer-sessions', { customer_id: customer.id });
    const { token } = await call('POST', '/portal/v1/auth/exchange', { token: session.token }, { 'content-type': 'application/json' });
    const portal = { authorization: `Bearer ${token}` };

    console.log(`\n1. Throughput (${CONCURRENCY} requests in flight, ${DURATION_MS / 1000} s each, loopback, Postgres)`);
    const hello = await rps(`http://127.0.0.1:${helloPort}/`);
    const me = await rps(`${base}/portal/v1/me`, portal);
    const orders = await rps(`${base}/portal/v1/orders`, portal);
    console.log(`   node:http hello world          ${hello} req/s`);
    console.log(`   GET /portal/v1/me              ${me} req/s  = ${Math.round((me / hello) * 100)} % of hello world (budget ≥ 50 %)`);
    console.log(`   GET /portal/v1/orders          ${orders} req/s  = ${Math.round((orders / hello) * 100)} % (one query per request)`);

    console.log(`\n2. GET /portal/v1/usage latency (sequential, 200 requests)`);
    const meter = await call('POST', '/v1/meters', { name: `Bench calls ${Date.now()}`, event_name: 'bench.call', aggregation: 'sum', property: 'n' });
    const product = await call('POST', '/v1/products', {
      name: 'Bench API',
      prices: [{ type: 'recurring', model: 'metered', currency: 'usd', unit_amount: 1, included_units: 1000, interval: 'month', meter_id: meter.id }],
    });
    await call('POST', '/v1/subscriptions', { customer_id: customer.id, price_id: product.prices[0].id });
    const empty = await latency(`${base}/portal/v1/usage`, portal);
    console.log(`   0 events:          p50 ${empty.p50} ms  p95 ${empty.p95} ms  p99 ${empty.p99} ms`);

    // Ingest speed through the API, then bulk-load the rest as the ingest path would have stored it.
    const batches = 20;
    const t0 = performance.now();
    for (let b = 0; b < batches; b++) {
      const events = Array.from({ length: 1000 }, (_, i) => ({
        id: `api-${b}-${i}`,
        customer_id: customer.id,
        name: 'bench.call',
        properties: { n: 1 },
        timestamp: new Date(Date.now() - (b * 1000 + i) * 1000).toISOString(),
      }));
      await call('POST', '/v1/events', { events });
    }
    const ingestRate = Math.round((batches * 1000) / ((performance.now() - t0) / 1000));
    console.log(`   ingest through POST /v1/events: ${ingestRate} events/s (batches of 1,000)`);
    const loadStart = performance.now();
    const rest = EVENTS - batches * 1000;
    // Spread over the last 30 days; other customers' events too, so the index has to work.
    await admin.query(`CREATE TEMP TABLE bench_customers AS SELECT id FROM customers WHERE organization_id = $1`, [org]);
    await admin.query(
      `INSERT INTO usage_events (organization_id, event_id, customer_id, name, properties, occurred_at, created_at)
       SELECT $1, 'bulk-' || g, CASE WHEN g % 5 = 0 THEN $2 ELSE (SELECT id FROM bench_customers ORDER BY id LIMIT 1 OFFSET (g % 3)) END,
              'bench.call', '{"n": 1}'::jsonb, now() - (g % 2592000) * interval '1 second', now()
       FROM generate_series(1, $3::int) g`,
      [org, customer.id, rest],
    );
    await admin.query(
      `INSERT INTO meter_usage_hourly (meter_id, customer_id, hour, total, maximum)
       SELECT $1, customer_id, date_trunc('hour', occurred_at), sum((properties->>'n')::numeric), max((properties->>'n')::numeric)
       FROM usage_events WHERE organization_id = $2 AND name = 'bench.call' AND event_id LIKE 'bulk-%'
       GROUP BY customer_id, date_trunc('hour', occurred_at)
       ON CONFLICT (meter_id, customer_id, hour) DO UPDATE SET total = meter_usage_hourly.total + excluded.total, maximum = greatest(meter_usage_hourly.maximum, excluded.maximum)`,
      [meter.id, org],
    );
    await admin.query('ANALYZE');
    const count = (await admin.query(`SELECT count(*)::bigint AS n FROM usage_events`)).rows[0].n;
    console.log(`   loaded ${Number(count).toLocaleString('en')} events in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`);
    const full = await latency(`${base}/portal/v1/usage`, portal);
    console.log(`   ${Number(count).toLocaleString('en')} events:  p50 ${full.p50} ms  p95 ${full.p95} ms  p99 ${full.p99} ms`);
    await admin.end();
  } finally {
    for (const c of children) c.kill('SIGTERM');
    agent.destroy();
    pgServer?.stop();
  }
}

await main();
