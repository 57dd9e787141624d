import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs. Request logs carry method, path (never the query string, which may hold
 * a pre-auth token) and status; these paths are censored in case an object slips through.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'code',
        'token',
        'secret',
        'password',
        'authorization',
        '*.code',
        '*.token',
        '*.secret',
        '*.authorization',
        'req.headers.authorization',
        'req.headers.cookie',
      ],
      censor: '[redacted]',
    },
  });
}

export const silentLogger: Logger = pino({ level: 'silent' });
