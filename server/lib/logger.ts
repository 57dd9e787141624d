import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { currentRequestId } from './request-context.js';

export type { Logger };

// Fields an error may carry that hold what a query was given or what a row held: PGlite
// errors carry `query` and `params`, Postgres' `detail` quotes the failing row or key, `where`
// can quote a parameter. Never logged.
const ERROR_FIELDS_DROPPED = new Set([
  'query',
  'params',
  'parameters',
  'sql',
  'values',
  'bindings',
  'detail',
  'where',
  'internalQuery',
  'hint',
  'queryOptions',
  'body',
  'headers',
  'request',
  'response',
  'config',
]);
// What identifies a database error without quoting data.
const DATABASE_FIELDS = ['severity', 'schema', 'table', 'column', 'dataType', 'constraint', 'routine'] as const;

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** A Postgres (pg or PGlite) error: a five-character SQLSTATE and a severity. */
function isDatabaseError(error: Record<string, unknown>): boolean {
  return typeof error.code === 'string' && SQLSTATE.test(error.code) && typeof error.severity === 'string';
}

/**
 * Postgres quotes values in some messages ('invalid input syntax for type integer: "Ada"',
 * 'value "2147483648" is out of range'); identifiers it quotes are logged by name anyway.
 */
function scrubMessage(message: string, keep: Set<string>): string {
  return message.replace(/"((?:[^"\\]|\\.)*)"/g, (whole, inner: string) => (keep.has(inner) ? whole : '"…"'));
}

function stackFrames(stack: unknown): string | undefined {
  if (typeof stack !== 'string') return undefined;
  const frames = stack.split('\n').filter((line) => /^\s+at /.test(line));
  return frames.length ? frames.join('\n') : undefined;
}

/**
 * Errors in logs: type, message and stack, plus the code, and for database errors the
 * constraint, table and column. Never the SQL, its parameters or the row Postgres quotes.
 */
export function serializeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error) && (error === null || typeof error !== 'object')) return error;
  const e = error as Error & Record<string, unknown>;
  if (isDatabaseError(e)) {
    const out: Record<string, unknown> = { type: 'DatabaseError', sqlstate: e.code };
    for (const field of DATABASE_FIELDS) if (typeof e[field] === 'string') out[field] = e[field];
    const keep = new Set(DATABASE_FIELDS.map((f) => e[f]).filter((v): v is string => typeof v === 'string'));
    if (typeof e.message === 'string') out.message = scrubMessage(e.message, keep);
    const stack = stackFrames(e.stack);
    if (stack) out.stack = stack;
    return out;
  }
  const out: Record<string, unknown> = { type: e.constructor?.name ?? typeof e };
  if (typeof e.message === 'string') out.message = e.message;
  if (typeof e.stack === 'string') out.stack = e.stack;
  for (const key of Object.keys(e)) {
    if (ERROR_FIELDS_DROPPED.has(key) || key in out || key === 'cause') continue;
    const value = e[key];
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) out[key] = value;
  }
  if (e.cause !== undefined && depth < 3) out.cause = serializeError(e.cause, depth + 1);
  return out;
}

// Authorization headers, bearer tokens, sign-in codes, keys and secrets, wherever a log
// call puts them (one level deep, and under req/headers).
const REDACTED = [
  'authorization',
  'cookie',
  'token',
  'secret',
  'password',
  'key',
  'api_key',
  'secret_key',
  'client_secret',
  'signing_secret',
  'webhook_secret',
  'link',
  'code',
  'otp',
];
const REDACT_PATHS = [
  ...REDACTED,
  ...REDACTED.map((name) => `*.${name}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
];

/**
 * `code` is also what errors call their kind (ECONNREFUSED, an API error's code): only a
 * sign-in code's shape (six digits) is censored there; every other path always is.
 */
function censor(value: unknown, path: string[]): unknown {
  if (path[path.length - 1] === 'code' && !(typeof value === 'string' && /^\d{6}$/.test(value)) && typeof value !== 'number') return value;
  return '[redacted]';
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    serializers: { err: serializeError, error: serializeError },
    redact: { paths: REDACT_PATHS, censor },
    // Every line logged while serving a request names it (X-Request-Id), so one request's lines can be found.
    mixin: () => {
      const requestId = currentRequestId();
      return requestId ? { request_id: requestId } : {};
    },
  };
}

/**
 * Structured logs. Request logs carry method, path (never the query string, which may hold
 * a pre-auth token) and status; errors are serialized without SQL or its parameters; the
 * paths above are censored in case an object slips through.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}

export const silentLogger: Logger = pino({ level: 'silent' });
