// The bench's options (flags and environment), sizes, and small helpers every module uses.
import { type AddressInfo, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const here = join(root, 'scripts', 'bench');

export const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    strict: { type: 'boolean', default: false },
    customers: { type: 'string' },
    orders: { type: 'string' },
    events: { type: 'string' },
    renewals: { type: 'string' },
    seconds: { type: 'string' },
    'renewal-seconds': { type: 'string' },
    'accept-encoding': { type: 'string' },
  },
});
const size = (flag: string | undefined, env: string, full: number, quick: number) => {
  const value = Number(flag ?? process.env[env] ?? (flags.quick ? quick : full));
  if (!Number.isSafeInteger(value) || value < 0)
    throw new Error(`--${env.slice(6).toLowerCase().replaceAll('_', '-')}: expected a whole number ≥ 0, got ${value}`);
  return value;
};
export const SIZES = {
  customers: size(flags.customers, 'BENCH_CUSTOMERS', 100_000, 10_000),
  orders: size(flags.orders, 'BENCH_ORDERS', 1_000_000, 100_000),
  events: size(flags.events, 'BENCH_EVENTS', 5_000_000, 500_000),
  renewals: size(flags.renewals, 'BENCH_RENEWALS', 10_000, 1_000),
};
export const SECONDS = Math.max(1, size(flags.seconds, 'BENCH_SECONDS', 5, 2));
/** At most this long per renewal run: the rate is what was renewed by then. */
export const RENEWAL_SECONDS = Math.max(1, size(flags['renewal-seconds'], 'BENCH_RENEWAL_SECONDS', 180, 60));
/**
 * Sent with every view request when set (e.g. "br, gzip", as a browser sends): the server then
 * compresses JSON answers above 1 KB. Off by default, like the floors, which never compress.
 */
export const ACCEPT_ENCODING = flags['accept-encoding'] ?? process.env.BENCH_ACCEPT_ENCODING ?? '';
export const CONNECTIONS = 32;
export const SECRET = 'bench-secret-long-enough-0123456789abcdef';
export const VIEWS = ['me', 'overview', 'subscriptions', 'seats', 'usage', 'orders', 'wallet', 'benefits'] as const;
export type View = (typeof VIEWS)[number];
/** Sequential requests per view whose statements are counted, one by one. */
export const COUNTED_REQUESTS = 25;

export const fmt = (n: number, digits = 0) => n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const ms = (us: number) => (us / 1000).toFixed(2);
export const log = (line: string) => console.error(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
export const started = performance.now();

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
