// Starts the session server: `tsx server/main.ts [--demo]`. With --demo (what `npm start`
// uses) it seeds the demo organization and serves the demo merchant page.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { ConfigError, loadConfig, type Config } from './config.js';
import { pgliteDataDir } from './db/client.js';
import { seedDemo } from './modules/demo/seed.js';
import { createRuntime, listen } from './runtime.js';

const started = performance.now();
const demo = process.argv.includes('--demo');
// Set on the short-lived process below: make the database (migrations, demo seed) and exit.
const prepare = process.argv.includes('--prepare');

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

/**
 * A new embedded database is made in a process of its own that exits when it is done. In the
 * server, initdb's ≈450 MB (PGlite runs it in two more WASM instances) were freed only 10–30 s
 * later, and initdb, the migrations and the demo seed (95 days of billing through the real engine)
 * left ≈30–60 MB it never gave back (allocator arenas, WASM pages, JIT code). This process then
 * opens the ready database like any restart. It costs the first start ≈3 s.
 */
if (!prepare && !config.databaseUrl && !existsSync(join(pgliteDataDir(config.dataDir), 'PG_VERSION'))) {
  const code = await new Promise<number | null>((resolve, reject) => {
    // This file itself, under tsx: its own flags when run by `tsx server/main.ts`; the package's
    // tsx when started through bin/customer-portal-server.mjs (which registers tsx in-process).
    const loader = process.execArgv.length ? process.execArgv : ['--import', import.meta.resolve('tsx')];
    const child = spawn(process.execPath, [...loader, fileURLToPath(import.meta.url), '--prepare', ...(demo ? ['--demo'] : [])], { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) process.exit(code ?? 1);
}

// The jobs start once the demo is seeded: the seed runs the engine on a clock 95 days back, and
// jobs on the real clock would renew (and lease) its subscriptions in the middle of that history.
const runtime = await createRuntime(config, { demo, jobs: false });
const seeded = demo ? await seedDemo(runtime.app.services, config, runtime.database.db) : undefined;
if (prepare) {
  await runtime.close();
  process.exit(0);
}
runtime.app.services.jobs.start(config.jobsIntervalSeconds);
const { server, port, metricsServer } = await listen(runtime.app, config);
const publicUrl = config.publicUrl;
const ms = Math.round(performance.now() - started);
const rssMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
runtime.logger.info({ port, database: runtime.database.kind, startMs: ms, rssMb }, 'server started');

/**
 * Resident memory once the start is over: a second to settle, one full GC (≈15–70 ms, through
 * V8's gc extension) so the start's garbage is not counted, a moment for V8 to hand pages back.
 * This is the figure `npm start` prints; rssMb above, taken the moment it listens, is 10–40 MB higher.
 */
async function idleRssMb(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  try {
    v8.setFlagsFromString('--expose-gc');
    (vm.runInNewContext('gc') as (options?: object) => void)({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  } catch {
    // Without the GC the figure is a little higher.
  }
  await new Promise((resolve) => setTimeout(resolve, 250));
  return Math.round(process.memoryUsage().rss / 1024 / 1024);
}

void idleRssMb().then((idleMb) => {
  if (stopping) return;
  runtime.logger.info({ database: runtime.database.kind, rssMb: idleMb }, 'idle memory');
  if (seeded) printBanner(seeded, idleMb);
});

function printBanner(seeded: NonNullable<Awaited<ReturnType<typeof seedDemo>>>, idleMb: number) {
  console.log(`
  customer-portal is running (${runtime.database.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'Postgres'}, started in ${ms} ms, ${idleMb} MB resident when idle)

  Demo merchant page   ${publicUrl}/demo/
  Hosted portal        ${publicUrl}/${seeded.slug}/portal
  Sign-in codes        ${publicUrl}/dev/outbox   (mail lands here until SMTP_URL is set)

  Sign in as ${seeded.emails.join(', ')}
  Merchant API key     ${seeded.secretKey}   (new on every start; try: curl -H "Authorization: Bearer ${seeded.secretKey}" ${publicUrl}/v1/customers)
`);
}

/**
 * Graceful shutdown on SIGTERM/SIGINT: readiness fails at once (a load balancer stops sending),
 * the server stops accepting, in-flight requests and the running job step finish within
 * SHUTDOWN_TIMEOUT_SECONDS, the jobs' unprocessed claims are released, the database closed.
 */
let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  const begun = performance.now();
  runtime.app.ops.draining = true;
  runtime.logger.info({ signal }, 'shutting down');
  const http = server as import('node:http').Server;
  const closed = new Promise<void>((resolve) => http.close(() => resolve()));
  http.closeIdleConnections?.();
  metricsServer?.close();
  const deadline = new Promise<'deadline'>((resolve) => setTimeout(() => resolve('deadline'), config.shutdownTimeoutSeconds * 1000).unref());
  const finished = await Promise.race([Promise.all([closed, runtime.app.services.jobs.stop()]).then(() => 'done' as const), deadline]);
  if (finished === 'deadline') {
    runtime.logger.warn({ seconds: config.shutdownTimeoutSeconds }, 'shutdown deadline reached: closing the connections that are left');
    http.closeAllConnections?.();
  }
  await Promise.race([runtime.close(), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  runtime.logger.info({ ms: Math.round(performance.now() - begun) }, 'stopped');
  process.exit(0);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown(signal));
