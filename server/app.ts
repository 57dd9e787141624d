import { compressAnswer } from './lib/compression.js';
import { Hono, type Context, type ErrorHandler, type MiddlewareHandler, type Next } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Config } from './config.js';
import { isDatabaseUnavailable, type Database } from './db/client.js';
import { portalCors } from './cors.js';
import { edge } from './modules/security/edge.js';
import { portalPageHeaders } from './lib/page-headers.js';
import { merchantApi, type AppEnv } from './http.js';
import type { Background } from './lib/background.js';
import type { Clock } from './lib/clock.js';
import { ApiError, errorBody } from './lib/errors.js';
import type { Logger } from './lib/logger.js';
import { authRoutes, merchantSessionRoutes } from './modules/auth/routes.js';
import { meRoutes, merchantCustomerRoutes } from './modules/customers/routes.js';
import type { Mailer } from './modules/email/mailer.js';
import { outboxRoutes } from './modules/email/outbox.js';
import { merchantEmailRoutes } from './modules/email/routes.js';
import { hostedRoutes } from './modules/hosted/routes.js';
import { hostedConfirmPayment } from './modules/hosted/confirm-payment.js';
import { hostedPaymentMethod } from './modules/hosted/payment-method.js';
import { merchantOrganizationRoutes, publicOrganizationRoutes } from './modules/organizations/routes.js';
import { merchantWebhookRoutes } from './modules/webhooks/routes.js';
import { merchantCatalogRoutes } from './modules/catalog/routes.js';
import { merchantOrderRoutes, portalOrderRoutes } from './modules/orders/routes.js';
import { portalPaymentMethodRoutes, testProviderRoutes } from './modules/payments/routes.js';
import type { PaymentProvider } from './modules/payments/provider.js';
import type { TestProvider } from './modules/payments/test-provider.js';
import { stripeWebhookRoutes } from './modules/payments/stripe-webhook.js';
import { merchantSubscriptionRoutes, portalSubscriptionRoutes } from './modules/subscriptions/routes.js';
import { portalOverviewRoutes } from './modules/overview/routes.js';
import { merchantWalletRoutes, portalWalletRoutes } from './modules/wallet/routes.js';
import { merchantUsageRoutes, portalUsageRoutes } from './modules/usage/routes.js';
import { benefitUploadRoutes, fileDownloadRoutes, licenseKeyRoutes, merchantBenefitRoutes, portalBenefitRoutes } from './modules/benefits/routes.js';
import { merchantSeatRoutes, portalSeatRoutes } from './modules/seats/routes.js';
import { createServices } from './services.js';
import { countedMailer, createMetrics, type Metrics } from './modules/ops/metrics.js';
import { opsRoutes, type OpsState } from './modules/ops/routes.js';
import { requestIdFrom, withRequestId } from './lib/request-context.js';
import { RememberingRouter } from './lib/router.js';

export interface AppDeps {
  database: Database;
  config: Config;
  clock: Clock;
  mailer: Mailer;
  logger: Logger;
  background: Background;
  /** Serve the demo merchant page at /demo. */
  demo?: boolean;
  /** Outgoing HTTP for webhooks; tests may pass their own. */
  fetch?: typeof fetch;
  /** The payment processor; the offline test provider when not given. */
  paymentProvider?: PaymentProvider;
  /** Counters and histograms for /metrics (runtime.ts makes one with the process metrics). */
  metrics?: Metrics;
}

export function createApp(deps: AppDeps) {
  const { config, logger } = deps;
  const metrics = deps.metrics ?? createMetrics(deps.database.poolStats ? { pool: deps.database.poolStats } : {});
  const services = createServices({
    db: deps.database.db,
    config,
    clock: deps.clock,
    mailer: countedMailer(deps.mailer, metrics),
    metrics,
    background: deps.background,
    logger,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.paymentProvider ? { paymentProvider: deps.paymentProvider } : {}),
  });
  const ops: OpsState = { draining: false };
  // Hono's router with each recent match remembered (lib/router.ts).
  const app = new Hono<AppEnv>({ router: new RememberingRouter() });

  const answerError: ErrorHandler<AppEnv> = (error, c) => {
    if (error instanceof ApiError) {
      return c.json(errorBody(error.code, error.message, error.details), error.status, error.headers);
    }
    if (error instanceof HTTPException && error.status < 500) {
      return c.json(errorBody('bad_request', error.message || 'The request could not be read.'), error.status);
    }
    if (isDatabaseUnavailable(error)) {
      logger.warn({ method: c.req.method, path: c.req.path, code: (error as { code?: string }).code ?? null }, 'database unavailable');
      return c.json(errorBody('database_unavailable', 'The service is briefly unavailable. Try again in a few seconds.'), 503, { 'Retry-After': '2' });
    }
    logger.error({ err: error, method: c.req.method, path: c.req.path }, 'unhandled error');
    return c.json(errorBody('internal_error', 'Something went wrong on our side. Try again in a moment.'), 500);
  };
  app.onError(answerError);
  app.notFound((c) => c.json(errorBody('not_found', `No route for ${c.req.method} ${c.req.path}.`), 404));
  // Bounded bodies, JSON only, no NUL or unpaired surrogates, ids by shape (modules/security/edge.ts).
  const edgeChecks = edge(config, { portalCors: portalCors(config.publicUrl, services.organizations.anyAllowsOrigin) });
  // What every request meets first, in this order, in one middleware layer (each layer costs
  // every request a dispatch and a few promises, which AsyncLocalStorage's hooks then follow):
  //   1. X-Request-Id on every answer (a trusted proxy's, or a new one), and every log line and
  //      error body of the request names it. Set before the handler: the adapter's fast path.
  //   2. Metrics: every request counted and timed by the route that answered (modules/ops/metrics.ts).
  //   3. The edge (modules/security/edge.ts); what it refuses is answered here as Hono answers an
  //      error thrown by a layer of its own, so the metrics count that answer's status.
  //   4. JSON answers above 1 KB compressed for clients that accept br or gzip (lib/compression.ts;
  //      the built assets are served precompressed by their own routes); without Accept-Encoding
  //      it returns at once.
  app.use(async (c, next) => {
    const requestId = requestIdFrom(config.trustProxy ? c.req.header('x-request-id') : undefined);
    c.header('X-Request-Id', requestId);
    await withRequestId(requestId, () => metrics.timed(c, () => asLayer(c, edgeChecks, next, answerError)));
    await compressAnswer(c);
  });
  // The full-page portal's CSP (frame-ancestors 'none') and page headers (lib/page-headers.ts).
  app.use('/:slug/portal', portalPageHeaders(config.publicUrl));

  // Request log: method, path and status only. Never the query string (pre-auth tokens) or headers.
  // Only registered when debug logging is on: a middleware layer per request costs throughput.
  if (logger.isLevelEnabled('debug'))
    app.use(async (c, next) => {
      const started = performance.now();
      await next();
      logger.debug({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
    });

  app.route('/', opsRoutes({ database: deps.database, metrics, metricsToken: config.metricsToken, state: ops }));

  app.use('/portal/v1/*', portalCors(config.publicUrl, services.organizations.anyAllowsOrigin));
  app.route('/portal/v1/auth', authRoutes(services, config));
  app.route('/portal/v1/organizations', publicOrganizationRoutes(services, config.publicUrl));
  app.route('/portal/v1/me', meRoutes(services, config));
  app.route('/portal/v1/overview', portalOverviewRoutes(services, config));
  app.route('/portal/v1/wallet', portalWalletRoutes(services, config));
  app.route('/portal/v1/usage', portalUsageRoutes(services, config));
  app.route('/portal/v1/benefits', portalBenefitRoutes(services, config));
  app.route('/portal/v1/seats', portalSeatRoutes(services, config));
  app.route('/portal/v1/subscriptions', portalSubscriptionRoutes(services, config));
  app.route('/portal/v1/orders', portalOrderRoutes(services, config));
  const hostedPayments = hostedPaymentMethod(services, config);
  app.route('/portal/v1/payment-methods/hosted-session', hostedPayments.portal);
  app.route('/portal/v1/payment-methods', portalPaymentMethodRoutes(services, config));
  app.route('/hosted', hostedPayments.page);
  const hostedConfirm = hostedConfirmPayment(services, config);
  app.route('/portal/v1/payments', hostedConfirm.portal);
  app.route('/hosted', hostedConfirm.page);
  if (services.payments.provider.name === 'test') {
    app.route('/test-provider', testProviderRoutes(services.payments.provider as TestProvider));
  }
  if (services.payments.provider.name === 'stripe') {
    app.route('/', stripeWebhookRoutes({ events: services.stripeEvents, clock: deps.clock, logger, webhookSecret: config.stripe?.webhookSecret }));
  }

  // Public /v1 endpoints and streamed uploads first: they answer before the merchant API's
  // secret-key check and Idempotency-Key handling (which reads the body as text) would run.
  app.route('/v1/license-keys', licenseKeyRoutes(services, config));
  app.route('/v1/benefits', benefitUploadRoutes(services));
  app.route(
    '/v1',
    merchantApi(services, [
      ['/', merchantSessionRoutes(services)],
      ['/customers', merchantCustomerRoutes(services)],
      ['/organization', merchantOrganizationRoutes(services)],
      ['/webhook-endpoints', merchantWebhookRoutes(services)],
      ['/emails', merchantEmailRoutes(services)],
      ['/', merchantCatalogRoutes(services)],
      ['/subscriptions', merchantSubscriptionRoutes(services)],
      ['/wallet-credits', merchantWalletRoutes(services)],
      ['/', merchantUsageRoutes(services)],
      ['/', merchantOrderRoutes(services)],
      ['/', merchantBenefitRoutes(services)],
      ['/seats', merchantSeatRoutes(services)],
    ]),
  );
  app.route('/files', fileDownloadRoutes(services));

  if (!config.production) app.route('/dev/outbox', outboxRoutes(services.emails));
  app.route('/', hostedRoutes(services, { demo: deps.demo ?? false }));

  return Object.assign(app, { services, metrics, ops });
}
export type App = ReturnType<typeof createApp>;

/**
 * Runs `middleware` as Hono runs a middleware layer of its own (hono/compose): what it throws is
 * answered by `onError` there and then, and an answer it returns becomes the request's, so the
 * layers around it see that answer as they would in a layer of its own.
 */
async function asLayer(c: Context<AppEnv>, middleware: MiddlewareHandler<AppEnv>, next: Next, onError: ErrorHandler<AppEnv>): Promise<void> {
  let answer: unknown;
  let failed = false;
  try {
    answer = await middleware(c, next);
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    c.error = error;
    answer = await onError(error, c);
    failed = true;
  }
  if (answer && (c.finalized === false || failed)) c.res = answer as Response;
}
