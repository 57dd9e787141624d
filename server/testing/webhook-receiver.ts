// A merchant's webhook receiver for tests: a real HTTP server on loopback that verifies every
// request with the standardwebhooks library, as a merchant would.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { TestClock } from '../lib/clock.js';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  verified: boolean;
}

/**
 * Standard Webhooks verification checks the timestamp against Date.now(); the receiver
 * lives in the test's time, so it verifies with Date.now() read from the TestClock.
 */
export function verifyAt(clock: TestClock, secret: string, body: string, headers: IncomingHttpHeaders): unknown {
  const realNow = Date.now;
  Date.now = () => clock.now().getTime();
  try {
    return new Webhook(secret).verify(body, headers as Record<string, string>);
  } finally {
    Date.now = realNow;
  }
}

/** A merchant's webhook receiver on loopback: one path per endpoint, each with its secret. */
export class Receiver {
  readonly received: Received[] = [];
  readonly #secrets = new Map<string, string>();
  readonly #replies = new Map<string, number[]>();
  readonly #waiters: Array<{ path: string; resolve: () => void }> = [];
  #server: Server | undefined;
  #base = '';

  constructor(private readonly clock: TestClock) {}

  async start(): Promise<void> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const path = req.url ?? '/';
        const body = Buffer.concat(chunks).toString('utf8');
        const secret = this.#secrets.get(path);
        let verified = false;
        try {
          if (secret) verifyAt(this.clock, secret, body, req.headers);
          verified = Boolean(secret);
        } catch {
          verified = false;
        }
        this.received.push({ path, headers: req.headers, body, verified });
        const status = verified ? (this.#replies.get(path)?.shift() ?? 200) : 401;
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : `nope ${status}`);
        for (const waiter of this.#waiters.splice(0)) {
          if (waiter.path === path) waiter.resolve();
          else this.#waiters.push(waiter);
        }
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.#base = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  url(path: string): string {
    return `${this.#base}${path}`;
  }
  /** The secret the receiver checks signatures on `path` with. */
  trust(path: string, secret: string): void {
    this.#secrets.set(path, secret);
  }
  /** Status codes to answer on `path`, in order; 200 after they run out. */
  reply(path: string, ...statuses: number[]): void {
    this.#replies.set(path, statuses);
  }
  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }
  ids(path: string): string[] {
    return this.at(path).map((r) => String(r.headers['webhook-id']));
  }
  nextRequest(path: string): Promise<void> {
    return new Promise((resolve) => this.#waiters.push({ path, resolve }));
  }
  close(): Promise<void> {
    return new Promise((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}
