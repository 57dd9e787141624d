// One fresh server per test file: its own database, a clock the test moves, mail captured
// in memory. Requests go through app.request(): no port, no network.
import { Writable } from 'node:stream';
import { createApp, type App } from '../app.js';
import { loadConfig, type Config } from '../config.js';
import type { Database } from '../db/client.js';
import { Background } from '../lib/background.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { LogAudit } from './log-audit.js';
import { TestClock } from '../lib/clock.js';
import type { EmailMessage, Mailer } from '../modules/email/mailer.js';
import { testDatabase } from './database.js';
import type { TestProvider } from '../modules/payments/test-provider.js';
import type { PaymentProvider } from '../modules/payments/provider.js';

export class CapturingMailer implements Mailer {
  readonly kind = 'outbox' as const;
  readonly sent: EmailMessage[] = [];
  async send(message: EmailMessage) {
    this.sent.push(message);
  }
  to(email: string): EmailMessage[] {
    return this.sent.filter((m) => m.to === email);
  }
  /** The code in the newest sign-in email to this address (its first line ends with it, in every language). */
  lastCode(email: string): string {
    const mail = this.to(email).at(-1);
    const code = mail && /(\d{6})$/.exec(mail.text.split('\n')[0]!.trim())?.[1];
    if (!code) throw new Error(`no sign-in code was sent to ${email}`);
    return code;
  }
  lastLinkToken(email: string): string {
    const mail = this.to(email).at(-1);
    const token = mail && /cp_token=([\w-]+)/.exec(mail.text)?.[1];
    if (!token) throw new Error(`no sign-in link was sent to ${email}`);
    return token;
  }
}

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TestContext {
  app: App;
  database: Database;
  config: Config;
  clock: TestClock;
  mail: CapturingMailer;
  logs: string[];
  /** The secrets this run handled; close() fails if a log line holds one (see log-audit.ts). */
  audit: LogAudit;
  background: Background;
  request<T = any>(method: string, path: string, options?: { body?: unknown; token?: string; headers?: Record<string, string> }): Promise<JsonResponse<T>>;
  /** An organization with a secret key. */
  createOrg(slug: string, options?: { origins?: string[]; name?: string }): Promise<{ id: string; slug: string; key: string }>;
  createCustomer(key: string, body: { email: string; name?: string; external_id?: string }): Promise<{ id: string; email: string }>;
  /** Signs in through request + verify with the emailed code; returns the session token. */
  signIn(org: string, email: string): Promise<string>;
  /** Saves a test card for a customer the way the hosted page does: setup, confirm, complete. */
  addCard(orgId: string, customerId: string, number?: string, makeDefault?: boolean): Promise<{ id: string }>;
  /** Runs the background jobs once (renewals, retries, webhooks), then waits for mail. */
  runJobs(): Promise<{ renewed: number; retried: number; recovered: number; emails: { sent: number; failed: number; retried: number } }>;
  close(): Promise<void>;
}

export async function createTestContext(
  overrides: Partial<Config> = {},
  options: {
    paymentProvider?: (db: Database) => PaymentProvider;
    fetch?: typeof fetch /** The app's mailer instead of the capturing one (t.mail then sees nothing). */;
    mailer?: (db: Database, clock: TestClock, logger: Logger) => Mailer;
  } = {},
): Promise<TestContext> {
  const database = await testDatabase();
  const config: Config = {
    ...loadConfig({ SECRET: 'test-secret-that-is-long-enough-0123456789', DATA_DIR: '/tmp/cp-test-unused', PUBLIC_URL: 'http://portal.test' }),
    trustProxy: true,
    ...overrides,
  };
  const clock = new TestClock();
  const mail = new CapturingMailer();
  const logs: string[] = [];
  const audit = new LogAudit();
  // The server's own logger settings (serializers, redaction), so tests see what production logs.
  const logger = createLogger(
    'debug',
    new Writable({
      write(chunk, _enc, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  );
  const background = new Background(logger);
  const app = createApp({
    database,
    config,
    clock,
    mailer: options.mailer ? options.mailer(database, clock, logger) : mail,
    logger,
    background,
    ...(options.paymentProvider ? { paymentProvider: options.paymentProvider(database) } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  const ctx: TestContext = {
    app,
    database,
    config,
    clock,
    mail,
    logs,
    audit,
    background,
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | undefined;
      if (options.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      }
      const res = await app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) }, undefined);
      await background.drain();
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON (HTML pages): keep the text
      }
      const where = `${method} ${path.split('?')[0]}`;
      audit.fromText(text, where);
      audit.fromAnswer(parsed, where);
      return { status: res.status, headers: res.headers, body: parsed as any };
    },
    async createOrg(slug, options = {}) {
      const org = await app.services.organizations.create({ slug, name: options.name ?? slug.toUpperCase(), allowed_origins: options.origins ?? [] });
      const key = await app.services.organizations.createSecretKey(org.id);
      audit.add(key, 'a secret key');
      return { id: org.id, slug, key };
    },
    async createCustomer(key, body) {
      const res = await ctx.request('POST', '/v1/customers', { token: key, body });
      if (res.status !== 201) throw new Error(`create customer failed: ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async signIn(org, email) {
      const req = await ctx.request('POST', '/portal/v1/auth/request', { body: { organization: org, email } });
      if (req.status !== 202) throw new Error(`sign-in request failed: ${JSON.stringify(req.body)}`);
      const res = await ctx.request('POST', '/portal/v1/auth/verify', { body: { organization: org, email, code: mail.lastCode(email) } });
      if (res.status !== 200) throw new Error(`verify failed: ${JSON.stringify(res.body)}`);
      return res.body.token;
    },
    async addCard(orgId, customerId, number = '4242424242424242', makeDefault = true) {
      const customer = await app.services.customers.get(orgId, { id: customerId });
      const setup = await app.services.payments.startSetup(customer);
      const provider = app.services.payments.provider as TestProvider;
      const confirmed = await provider.confirmSetupIntent(setup.setup_intent_id, setup.client_secret, { number, exp_month: 12, exp_year: 2034, cvc: '123' });
      if (confirmed.status !== 'succeeded') throw new Error(`card ${number} was refused: ${confirmed.message}`);
      return app.services.payments.completeSetup(customer, setup.setup_intent_id, makeDefault);
    },
    async runJobs() {
      const result = await app.services.jobs.runOnce();
      await background.drain();
      return result;
    },
    async close() {
      await background.drain();
      await database.close();
      for (const message of mail.sent) audit.fromMail(message.text);
      const leaks = audit.leaks(logs);
      if (leaks.length) throw new Error(`Secrets reached the logs:\n  ${[...new Set(leaks)].join('\n  ')}`);
    },
  };
  return ctx;
}
