// Measuring: wrk runs (req/s, p50/p95), the floors and the views side by side, and the SQL
// statements per view counted with pg_stat_statements.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type pg from 'pg';
import { CONNECTIONS, COUNTED_REQUESTS, here, log, SECONDS, VIEWS, type View } from './options.js';
import { query, TRANSACTION_CONTROL } from './sql.js';

export interface WrkResult {
  rps: number;
  requests: number;
  p50: number;
  p95: number;
  p99: number;
  /** Answers that were not 2xx/3xx, and socket errors (connect, read, write, timeout). */
  statusErrors: number;
  socketErrors: number;
}

export function wrk(url: string, seconds: number, headers: Record<string, string> = {}): Promise<WrkResult> {
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
export async function measure(url: string, headers: Record<string, string> = {}) {
  await wrk(url, 1, headers);
  return wrk(url, SECONDS, headers);
}

export interface Series {
  hello: WrkResult;
  /** The median run of the one-query floor, and the lowest and highest req/s of its runs. */
  floor: WrkResult;
  floorRange: [number, number];
  /** Each view, with the mean req/s of the floor runs just before and after it. */
  views: Record<View, WrkResult & { floor: number }>;
  /** The same views from a server that keeps no answer (PORTAL_CACHE_SECONDS=0), between the same floor runs. */
  computed: Record<View, WrkResult & { floor: number }>;
}

export type StatementCount = { queries: number; transaction: number };

/** Statements per view: the server role's statements (`role`) over a series of sequential requests. */
/** Statements per view: an answer kept (read again, nothing changed), and one computed (something changed). */
export type ViewStatements = { kept: StatementCount; computed: StatementCount };

export async function countStatements(
  admin: pg.Client,
  role: number,
  base: string,
  portal: Record<string, string>,
  customerId: string,
): Promise<Record<View, ViewStatements>> {
  const statements: Record<View, ViewStatements> = {} as never;
  // Advances the customer's read version as any change to them would: the next answer is computed.
  const change = () =>
    admin.query(`INSERT INTO read_versions (id, version) VALUES ($1, 1) ON CONFLICT (id) DO UPDATE SET version = read_versions.version + 1`, [customerId]);
  const count = async (view: View, before?: () => Promise<unknown>) => {
    const url = `${base}/portal/v1/${view}`;
    const first = await fetch(url, { headers: portal });
    if (first.status !== 200) throw new Error(`GET /portal/v1/${view} answered ${first.status}: ${await first.text()}`);
    await first.arrayBuffer();
    // One request at a time, each counted on its own: the median is what a request costs with
    // its session cached (the session is read again once per 2 s, on the request that finds it stale).
    const counts: StatementCount[] = [];
    for (let i = 0; i < COUNTED_REQUESTS; i++) {
      await before?.();
      await admin.query('SELECT pg_stat_statements_reset()');
      const res = await fetch(url, { headers: portal });
      if (res.status !== 200) throw new Error(`GET /portal/v1/${view} answered ${res.status}`);
      await res.arrayBuffer();
      const rows = await query<{ query: string; calls: number }>(admin, `SELECT query, calls::int AS calls FROM pg_stat_statements WHERE userid = $1`, [role]);
      const one = { queries: 0, transaction: 0 };
      for (const row of rows) {
        if (TRANSACTION_CONTROL.test(row.query)) one.transaction += row.calls;
        else one.queries += row.calls;
      }
      counts.push(one);
    }
    counts.sort((a, b) => a.queries - b.queries || a.transaction - b.transaction);
    return { median: counts[Math.floor(counts.length / 2)]!, most: counts[counts.length - 1]! };
  };
  const cell = (c: StatementCount) => `${c.queries}${c.transaction ? ` (+${c.transaction} BEGIN/COMMIT)` : ''}`;
  // Every view kept first: a change makes this process keep nothing until it reads the session again (2 s).
  const kept = {} as Record<View, Awaited<ReturnType<typeof count>>>;
  for (const view of VIEWS) kept[view] = await count(view);
  for (const view of VIEWS) {
    const computed = await count(view, change);
    statements[view] = { kept: kept[view].median, computed: computed.median };
    log(
      `statements per GET /portal/v1/${view}: answer kept ${cell(kept[view].median)} (at most ${kept[view].most.queries}), computed ${cell(computed.median)} (at most ${computed.most.queries})`,
    );
  }

  return statements;
}

/**
 * The floors and the views, each view between two runs of the one-query floor: on a shared
 * machine the floor moves, and a view is compared with the floor measured next to it.
 */
export async function series(
  label: string,
  urls: { hello: string; floor: string; base: string; computed: string },
  portal: Record<string, string>,
): Promise<Series> {
  const { hello: helloUrl, floor: floorUrl, base } = urls;
  log(`${label}: the floors…`);
  const hellos = [await measure(helloUrl)];
  const floors = [await measure(floorUrl)];
  const views = {} as Series['views'];
  const computed = {} as Series['computed'];
  for (const view of VIEWS) {
    log(`${label}: GET /portal/v1/${view}…`);
    const result = await measure(`${base}/portal/v1/${view}`, portal);
    const fresh = await measure(`${urls.computed}/portal/v1/${view}`, portal);
    floors.push(await wrk(floorUrl, SECONDS));
    const floor = (floors.at(-2)!.rps + floors.at(-1)!.rps) / 2;
    views[view] = { ...result, floor };
    computed[view] = { ...fresh, floor };
  }
  hellos.push(await wrk(helloUrl, SECONDS));
  const median = (runs: WrkResult[]) => [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)]!;
  return {
    hello: median(hellos),
    floor: median(floors),
    floorRange: [Math.min(...floors.map((f) => f.rps)), Math.max(...floors.map((f) => f.rps))],
    views,
    computed,
  };
}
