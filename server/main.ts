// Starts the session server: `tsx server/main.ts [--demo]`. With --demo (what `npm start`
// uses) it seeds the demo organization and serves the demo merchant page.
import { performance } from 'node:perf_hooks';
import { ConfigError, loadConfig, type Config } from './config.js';
import { seedDemo } from './modules/demo/seed.js';
import { createRuntime, listen } from './runtime.js';

const started = performance.now();
const demo = process.argv.includes('--demo');

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

const runtime = await createRuntime(config, { demo });
const seeded = demo ? await seedDemo(runtime.app.services, config, runtime.database.db) : undefined;
const { server, port, metricsServer } = await listen(runtime.app, config);
const publicUrl = config.publicUrl;
const ms = Math.round(performance.now() - started);
const rssMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
runtime.logger.info({ port, database: runtime.database.kind, startMs: ms, rssMb }, 'server started');

if (seeded) {
  console.log(`
  customer-portal is running (${runtime.database.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'Postgres'}, started in ${ms} ms, ${rssMb} MB)

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
