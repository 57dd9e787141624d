// End-to-end support: the real server (embedded database, demo data) on a free port, and
// Debian's Chromium driven by playwright-core.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** The sign-in code in the newest email to `email`, read from the dev outbox like a newcomer would. */
export async function codeFromOutbox(url: string, email: string): Promise<string> {
  const res = await fetch(`${url}/dev/outbox`, { headers: { accept: 'application/json' } });
  const { data } = (await res.json()) as { data: Array<{ to: string; text: string }> };
  const mail = data.find((m) => m.to === email);
  const code = mail && /is: (\d{6})/.exec(mail.text)?.[1];
  if (!code) throw new Error(`no code for ${email} in the outbox`);
  return code;
}
