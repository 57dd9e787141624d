import { serve, type ServerType } from '@hono/node-server';
import { createApp, type App } from './app.js';
import type { Config } from './config.js';
import { openPGlite, openPostgres, pgliteDataDir, type Database } from './db/client.js';
import { migrate } from './db/migrate.js';
import { Background } from './lib/background.js';
import { systemClock, type Clock } from './lib/clock.js';
import { createLogger, type Logger } from './lib/logger.js';
import { smtpMailer, type Mailer } from './modules/email/mailer.js';
import { outboxMailer } from './modules/email/outbox.js';
import { stripeProvider } from './modules/payments/stripe-provider.js';
import { createMetrics } from './modules/ops/metrics.js';

export async function openDatabase(config: Config, logger?: Logger): Promise<Database> {
  return config.databaseUrl
    ? openPostgres(
        config.databaseUrl,
        10,
        (error) => logger?.warn({ code: (error as { code?: string }).code ?? null }, 'database connection lost; reconnecting on the next query'),
        undefined,
        { preparedStatements: config.databasePreparedStatements },
      )
    : openPGlite({ dataDir: pgliteDataDir(config.dataDir) });
}

export interface Runtime {
  app: App;
  database: Database;
  logger: Logger;
  background: Background;
  close(): Promise<void>;
}

/** Everything a running server needs, without listening yet: database (migrated), mailer, app. */
export async function createRuntime(config: Config, options: { demo?: boolean; clock?: Clock; logger?: Logger; jobs?: boolean } = {}): Promise<Runtime> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const database = await openDatabase(config, logger);
  const applied = await migrate(database);
  if (applied.length) logger.info({ migrations: applied }, 'database migrated');
  // Every email is a row first; with SMTP_URL the outbox sends it (at once, else by the email job).
  const mailer: Mailer = outboxMailer(
    database.db,
    clock,
    logger,
    config.publicUrl,
    config.production,
    config.smtpUrl ? { transport: smtpMailer(config.smtpUrl, config.smtpFrom, logger), secret: config.secret } : undefined,
  );
  const background = new Background(logger);
  const paymentProvider = config.paymentProvider === 'stripe' && config.stripe ? stripeProvider(config.stripe) : undefined;
  const metrics = createMetrics({ defaults: true, ...(database.poolStats ? { pool: database.poolStats } : {}) });
  const app = createApp({
    database,
    config,
    clock,
    mailer,
    logger,
    background,
    metrics,
    demo: options.demo ?? false,
    ...(paymentProvider ? { paymentProvider } : {}),
  });
  if (options.jobs !== false) app.services.jobs.start(config.jobsIntervalSeconds);
  return {
    app,
    database,
    logger,
    background,
    async close() {
      await app.services.jobs.stop();
      await background.drain();
      await mailer.close?.();
      await database.close();
    },
  };
}

export function listen(app: App, config: Config): Promise<{ server: ServerType; port: number; metricsServer?: ServerType }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
      if (!config.metricsPort) return resolve({ server, port: info.port });
      // /metrics on a port of its own, without a token: for a network only monitoring reaches.
      const metricsServer = serve({
        fetch: async () => new Response(await app.metrics.registry.metrics(), { headers: { 'Content-Type': app.metrics.registry.contentType } }),
        port: config.metricsPort,
        hostname: config.host,
      });
      resolve({ server, port: info.port, metricsServer });
    });
  });
}
