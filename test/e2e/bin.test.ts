// The installed command starts the server on a new embedded database: `customer-portal-server
// start` runs main.ts, whose first start prepares the data dir in a short-lived process of its
// own (it once re-ran the CLI with --prepare, which the CLI refused, and the server never started).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, spawnServer } from './support.js';

test('customer-portal-server start on an empty data dir: ready, migrations applied', { timeout: 120_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cp-bin-'));
  const port = await freePort();
  const { child, ready: started } = spawnServer({
    args: ['bin/customer-portal-server.mjs', 'start'],
    env: { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', JOBS_INTERVAL_SECONDS: '0', DATABASE_URL: '', LOG_LEVEL: 'info' },
  });
  try {
    await started;
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { migrations: number }).migrations >= 10, true);
  } finally {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
