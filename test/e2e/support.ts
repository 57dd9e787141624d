// End-to-end support: the real server (embedded database, demo data) on a free port, and
// Debian's Chromium driven by playwright-core; the dev outbox, sign-in and PDFs as a person
// meets them.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { after, before } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadConfig } from '../../server/config.js';
import { silentLogger } from '../../server/lib/logger.js';
import { seedDemo } from '../../server/modules/demo/seed.js';
import { createRuntime, listen } from '../../server/runtime.js';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless=new',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export async function startDemoServer() {
  const dataDir = mkdtempSync(join(tmpdir(), 'cp-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    DATA_DIR: dataDir,
    SECRET: 'e2e-secret-long-enough-0123456789abcdef',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: url,
    JOBS_INTERVAL_SECONDS: '0',
  });
  const runtime = await createRuntime(config, { logger: silentLogger, demo: true, jobs: false });
  const seeded = await seedDemo(runtime.app.services, config, runtime.database.db);
  const { server } = await listen(runtime.app, config);
  return {
    url,
    seeded,
    runtime,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A server process of its own: `node --import tsx server/main.ts` (or `args`) with `env` over
 * this process's, stdout and stderr collected. `ready` resolves with the first match of `until`
 * in the output (by default the "server started" log line); it rejects with the output so far if
 * the process exits first, or after `timeoutMs` when given.
 */
export function spawnServer(options: { env: Record<string, string>; args?: string[]; until?: RegExp; timeoutMs?: number }) {
  const child: ChildProcess = spawn(process.execPath, options.args ?? ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const until = options.until ?? /"msg":"server started"/;
  let out = '';
  const ready = new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = options.timeoutMs ? setTimeout(() => reject(new Error(`the server did not start:\n${out}`)), options.timeoutMs) : undefined;
    const onData = (chunk: Buffer) => {
      out += String(chunk);
      const found = until.exec(out);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}):\n${out}`));
    });
  });
  return { child, ready, output: () => out };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export type DemoServer = Awaited<ReturnType<typeof startDemoServer>>;

/**
 * The demo server and Chromium for a test file: started before its first test, stopped after
 * its last. Read `server` and `browser` inside the tests (they are set by then).
 */
export function useDemo(): { server: DemoServer; browser: Browser } {
  const demo = {} as { server: DemoServer; browser: Browser };
  before(async () => {
    demo.server = await startDemoServer();
    demo.browser = await launchChromium();
  });
  after(async () => {
    await demo.browser?.close();
    await demo.server?.stop();
  });
  return demo;
}

export interface OutboxMail {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** The newest email to `email` in the dev outbox, if any. */
export async function newestMail(url: string, email: string): Promise<OutboxMail | undefined> {
  const res = await fetch(`${url}/dev/outbox`, { headers: { accept: 'application/json' } });
  const { data } = (await res.json()) as { data: OutboxMail[] };
  return data.find((m) => m.to === email);
}

/**
 * The newest email to `email` that is not `seen` (mail is sent in the background, so it may
 * land a moment after the request that sent it was answered).
 */
export async function waitForMail(url: string, email: string, seen?: string): Promise<OutboxMail> {
  for (const until = Date.now() + 10_000; ; ) {
    const mail = await newestMail(url, email);
    if (mail && mail.id !== seen) return mail;
    if (Date.now() > until) throw new Error(`no new email to ${email} in the outbox`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The 6-digit code in a sign-in email, whatever language it is written in. */
export function codeInMail(mail: Pick<OutboxMail, 'to' | 'text'>): string {
  const code = /(?<!\d)\d{6}(?!\d)/.exec(mail.text)?.[0];
  if (!code) throw new Error(`no code in the email to ${mail.to}`);
  return code;
}

/** The sign-in code in the newest email to `email`, read from the dev outbox like a newcomer would. */
export async function codeFromOutbox(url: string, email: string): Promise<string> {
  return codeInMail(await waitForMail(url, email));
}

/** The sign-in form's words, in the language the portal shows it in. */
export interface SignInLabels {
  email: string;
  send: string;
  code: string;
}
export const ENGLISH_SIGN_IN: SignInLabels = { email: 'Email address', send: 'Email me a code', code: 'Sign-in code' };

/**
 * Signs `email` in on a page showing the portal's sign-in form: asks for a code, reads it from
 * the email that brings it (returned) and types it (six digits submit the form by themselves).
 */
export async function signInWithCode(page: Page, url: string, email: string, labels = ENGLISH_SIGN_IN): Promise<OutboxMail> {
  const before = (await newestMail(url, email))?.id;
  await page.getByLabel(labels.email).fill(email);
  await page.getByRole('button', { name: labels.send }).click();
  await page.getByLabel(labels.code).waitFor();
  const mail = await waitForMail(url, email, before);
  await page.getByLabel(labels.code).fill(codeInMail(mail));
  return mail;
}

/** The text of the PDF that `click` downloads, as pdftotext reads it. */
export async function pdfText(page: Page, click: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), text: execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' }) };
}
