// Reporting: the markdown table with PASS/FAIL per target (issue #15), written to
// bench-results/latest.md and printed.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ACCEPT_ENCODING, CONNECTIONS, COUNTED_REQUESTS, fmt, ms, RENEWAL_SECONDS, root, SECONDS, SIZES, started, VIEWS, type View } from './options.js';
import type { Series, ViewStatements, WrkResult } from './measure.js';
import type { RenewalRun } from './renewals.js';

export interface Measured {
  loadAtStart: number;
  loadAtEnd: number;
  pgVersion: string;
  wrkVersion: string;
  demoCounts: { customers: number; orders: number; events: number };
  statements: Record<View, ViewStatements>;
  demo: Series;
  loading: boolean;
  loaded: Series | null;
  load: Array<[string, number]>;
  renewals: RenewalRun[];
}

/** Writes and prints the report; true when every target passed. */
export function report({ loadAtStart, loadAtEnd, pgVersion, wrkVersion, demoCounts, statements, demo, loading, loaded, load, renewals }: Measured): boolean {
  const lines: string[] = [];
  const p = (line = '') => lines.push(line);
  p(`## npm run bench — ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`);
  p();
  p(
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'CPU'}, load average ${loadAtStart.toFixed(1)} at the start and ${loadAtEnd.toFixed(1)} at the end (the bench's own processes included); Node ${process.version}, Postgres ${pgVersion} (throwaway, fsync off), wrk ${wrkVersion}: -t1 -c${CONNECTIONS}, ${SECONDS} s per row after 1 s of warm-up, loopback, ${ACCEPT_ENCODING ? `Accept-Encoding: ${ACCEPT_ENCODING} on the views` : 'no Accept-Encoding (answers uncompressed)'}. Each view is compared with the one-query floor measured just before and just after it (the floor row: the median of those runs, and their range). SQL statements: pg_stat_statements, the server's database role only, the median of ${COUNTED_REQUESTS} requests counted one by one (the session cached; it is read again once per 2 s), with the answer kept / computed (the customer's read version advanced before each, as any change to them does)${Object.values(statements).some((c) => c.kept.transaction || c.computed.transaction) ? '; BEGIN/COMMIT after "+"' : ''}. Answers kept up to ${process.env.PORTAL_CACHE_SECONDS ?? '10'} s (PORTAL_CACHE_SECONDS${process.env.PORTAL_CACHE_SECONDS === '0' ? ': off, every answer computed' : ''}).`,
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
  const one = (c: { queries: number; transaction: number }) => `${c.queries}${c.transaction ? ` + ${c.transaction}` : ''}`;
  const stmtCell = (c: ViewStatements) => `${one(c.kept)} kept, ${one(c.computed)} computed`;
  const most = (c: ViewStatements) => Math.max(c.kept.queries, c.computed.queries);
  const range = (x: Series) => `${fmt(x.floor.rps)} (${fmt(x.floorRange[0])}–${fmt(x.floorRange[1])})`;
  row('node:http hello world', '', cellsOf(demo.hello, demo.floor.rps), loaded ? cellsOf(loaded.hello, loaded.floor.rps) : undefined);
  row(
    'node:http + pg, one indexed query (the floor)',
    '1',
    cellsOf(demo.floor, demo.floor.rps, range(demo)),
    loaded ? cellsOf(loaded.floor, loaded.floor.rps, range(loaded)) : undefined,
  );
  for (const view of VIEWS) {
    for (const kind of ['views', 'computed'] as const) {
      const d = demo[kind][view];
      const l = loaded?.[kind][view];
      row(
        kind === 'views' ? `GET /portal/v1/${view}` : `… computed (no answer kept)`,
        one(statements[view][kind === 'views' ? 'kept' : 'computed']),
        cellsOf(d, d.floor),
        l ? cellsOf(l, l.floor) : undefined,
        l ? ratio(l.p95, d.p95) : undefined,
      );
    }
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
    'every portal view ≥ 0.5 × the one-query floor (req/s, demo size, read again: the answer kept)',
    slow.length === 0,
    slow.length ? slow.map((v) => `${v} ${x(v).toFixed(2)}`).join(', ') : `lowest ${Math.min(...VIEWS.map(x)).toFixed(2)}`,
  ]);
  const chatty = VIEWS.filter((v) => most(statements[v]) > 4);
  targets.push([
    '≤ 4 SQL statements per view',
    chatty.length === 0,
    chatty.length ? chatty.map((v) => `${v} ${stmtCell(statements[v])}`).join(', ') : `most ${Math.max(...VIEWS.map((v) => most(statements[v])))}`,
  ]);
  if (loaded) {
    // Computed answers: how the reads themselves grow with the tables (a kept answer reads one row).
    const growth = (v: View) => loaded.computed[v].p95 / demo.computed[v].p95;
    const flat = VIEWS.filter((v) => !(growth(v) <= 1.5));
    targets.push([
      `p95 at ${fmt(SIZES.orders)} orders ≤ 1.5 × the demo size's (answers computed)`,
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

  const text = `${lines.join('\n')}\n`;
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  writeFileSync(join(root, 'bench-results', 'latest.md'), text);
  console.log(`\n${text}`);
  console.error('(written to bench-results/latest.md)');
  return targets.every(([, ok]) => ok);
}
