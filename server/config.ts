import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' }).transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z.object({
  PORT: z.coerce
    .number({ error: 'expected a port number' })
    .int('expected a whole port number')
    .min(0, 'expected a port between 0 and 65535')
    .max(65535, 'expected a port between 0 and 65535')
    .default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'expected a postgres:// connection URL' }).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'expected an smtp:// or smtps:// URL' }).optional(),
  SMTP_FROM: z.string().min(3).default('Customer Portal <no-reply@localhost>'),
  SECRET: z.string().min(32, 'expected at least 32 characters of random text').optional(),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s):// URL' }).optional(),
  NODE_ENV: z.string().optional(),
  TRUST_PROXY: bool.default(false),
  DATABASE_PREPARED_STATEMENTS: bool.default(true),
  PAYMENT_PROVIDER: z.enum(['test', 'stripe'], { error: 'expected test or stripe' }).default('test'),
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_/, 'expected a Stripe secret key (sk_test_… or sk_live_…)')
    .optional(),
  STRIPE_PUBLISHABLE_KEY: z
    .string()
    .regex(/^pk_(test|live)_/, 'expected a Stripe publishable key (pk_…)')
    .optional(),
  STRIPE_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_/, 'expected a Stripe webhook signing secret (whsec_…)')
    .optional(),
  /** For tests against a local fake of Stripe's API: http://127.0.0.1:port */
  STRIPE_API_URL: z.url().optional(),
  JOBS_INTERVAL_SECONDS: z.coerce.number({ error: 'expected a number of seconds' }).int().min(0).default(30),
  /** How long a portal view's answer may be served again while nothing it shows changed; 0 turns that off. */
  PORTAL_CACHE_SECONDS: z.coerce.number({ error: 'expected a number of seconds' }).min(0).max(60).default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Largest request body for JSON endpoints, in bytes (413 above it). */
  MAX_JSON_BODY_BYTES: z.coerce
    .number({ error: 'expected a number of bytes' })
    .int()
    .min(1024, 'expected at least 1024 bytes')
    .default(1024 * 1024),
  /** Largest file upload (POST /v1/benefits/{id}/files), in bytes. */
  MAX_UPLOAD_BYTES: z.coerce
    .number({ error: 'expected a number of bytes' })
    .int()
    .min(1024, 'expected at least 1024 bytes')
    .default(100 * 1024 * 1024),
  /** Webhook URLs on loopback, private or link-local addresses: allowed by default outside production only. */
  WEBHOOK_ALLOW_PRIVATE_URLS: bool.optional(),
  /** GET /metrics needs "Authorization: Bearer <METRICS_TOKEN>"; without a token /metrics is off (unless METRICS_PORT). */
  METRICS_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  /** Serve /metrics (without a token) on its own port, e.g. one only the monitoring network reaches. */
  METRICS_PORT: z.coerce.number({ error: 'expected a port number' }).int().min(1).max(65535).optional(),
  /** On SIGTERM/SIGINT: how long in-flight requests and the running job get to finish. */
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number({ error: 'expected a number of seconds' }).min(0).max(600).default(10),
});

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  /** Statements run as named prepared statements of their connection (server/db/client.ts); off behind a pooler that does not keep them. */
  databasePreparedStatements: boolean;
  dataDir: string;
  smtpUrl: string | undefined;
  smtpFrom: string;
  secret: string;
  publicUrl: string;
  production: boolean;
  trustProxy: boolean;
  logLevel: string;
  paymentProvider: 'test' | 'stripe';
  stripe: { secretKey: string; publishableKey: string; webhookSecret: string | undefined; apiUrl: string | undefined } | undefined;
  /** How often the background jobs (renewals, retries, webhooks) run; 0 turns them off. */
  jobsIntervalSeconds: number;
  /**
   * How long a portal view's answer may be served again (modules/portal-cache), while the read
   * versions prove nothing it shows changed; 0 turns that off. Not set: 10.
   */
  portalCacheSeconds?: number;
  /** Request body bounds (413 above them): JSON endpoints, and file uploads. */
  maxJsonBodyBytes: number;
  maxUploadBytes: number;
  /**
   * Whether webhook endpoints may point at loopback, private, link-local or cloud-metadata
   * addresses (a local receiver in development). Never the default in production.
   */
  webhookAllowPrivateUrls: boolean;
  metricsToken: string | undefined;
  metricsPort: number | undefined;
  shutdownTimeoutSeconds: number;
}

export class ConfigError extends Error {}

/**
 * Reads the configuration from the environment. A bad value throws a ConfigError whose
 * message names each variable and what it expects, so start-up can stop with it.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '');
      const got = cleaned[name];
      return `  ${name}: ${issue.message}${got === undefined ? '' : ` (got ${JSON.stringify(redact(name, got))})`}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const dataDir = resolve(e.DATA_DIR);
  if (production && !e.SECRET) {
    throw new ConfigError('Invalid configuration:\n  SECRET: required in production (at least 32 characters of random text)');
  }
  if (e.PAYMENT_PROVIDER === 'stripe' && (!e.STRIPE_SECRET_KEY || !e.STRIPE_PUBLISHABLE_KEY)) {
    throw new ConfigError('Invalid configuration:\n  STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY: required when PAYMENT_PROVIDER=stripe');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databasePreparedStatements: e.DATABASE_PREPARED_STATEMENTS,
    dataDir,
    smtpUrl: e.SMTP_URL,
    smtpFrom: e.SMTP_FROM,
    secret: e.SECRET ?? developmentSecret(dataDir),
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    production,
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    paymentProvider: e.PAYMENT_PROVIDER,
    stripe:
      e.PAYMENT_PROVIDER === 'stripe'
        ? { secretKey: e.STRIPE_SECRET_KEY!, publishableKey: e.STRIPE_PUBLISHABLE_KEY!, webhookSecret: e.STRIPE_WEBHOOK_SECRET, apiUrl: e.STRIPE_API_URL }
        : undefined,
    jobsIntervalSeconds: e.JOBS_INTERVAL_SECONDS,
    portalCacheSeconds: e.PORTAL_CACHE_SECONDS,
    maxJsonBodyBytes: e.MAX_JSON_BODY_BYTES,
    maxUploadBytes: e.MAX_UPLOAD_BYTES,
    webhookAllowPrivateUrls: e.WEBHOOK_ALLOW_PRIVATE_URLS ?? !production,
    metricsToken: e.METRICS_TOKEN,
    metricsPort: e.METRICS_PORT,
    shutdownTimeoutSeconds: e.SHUTDOWN_TIMEOUT_SECONDS,
  };
}

function redact(name: string, value: string): string {
  return /SECRET|SMTP_URL|DATABASE_URL|STRIPE|TOKEN/.test(name) ? '…' : value;
}

/** Outside production a secret is generated once and kept in the data dir, so codes and links survive restarts. */
function developmentSecret(dataDir: string): string {
  const file = join(dataDir, 'secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
