// The database goes away and comes back under a running server (its own process, on its own
// throwaway Postgres): while clients keep reading and writing, Postgres is stopped and started
// again. The server never exits; while Postgres is down it answers 503 database_unavailable with
// Retry-After; once Postgres is back it answers 200 again without being restarted; and every
// write it acknowledged is there afterwards.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { after, before, test } from 'node:test';
import { freePort, spawnServer } from './support.js';
import { startPostgres } from '../../scripts/postgres.mjs';

let pg: Awaited<ReturnType<typeof startPostgres>>;
let server: ChildProcess;
let base: string;
let key: string;
let exited: number | null | undefined;
let dataDir: string;

before(async () => {
  pg = await startPostgres();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  dataDir = mkdtempSync(join(tmpdir(), 'cp-restart-'));
  const started = spawnServer({
    args: ['--import', 'tsx', 'server/main.ts', '--demo'],
    env: {
      DATABASE_URL: pg.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: base,
      DATA_DIR: dataDir,
      SECRET: 'restart-test-secret-0123456789abcdef',
      JOBS_INTERVAL_SECONDS: '1',
      LOG_LEVEL: 'warn',
    },
    until: /Merchant API key\s+(sk_\S+)/,
    timeoutMs: 60_000,
  });
  server = started.child;
  server.on('exit', (code) => {
    exited = code;
  });
  key = (await started.ready)[1]!;
});

after(async () => {
  server?.kill('SIGTERM');
  await new Promise((resolve) => (exited !== undefined ? resolve(null) : server?.once('exit', resolve)));
  try {
    pg?.stop();
  } catch {
    // already stopped (a test that failed while Postgres was paused)
  }
  rmSync(dataDir, { recursive: true, force: true });
});

const auth = () => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });
let writes = 0;

/**
 * One request on a connection of its own (no keep-alive pool, whose reuse of a socket the server
 * just closed would be the client's race, not the server's answer).
 */
function call(method: string, path: string, body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; json: any }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method, headers: auth(), agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += String(chunk)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One read and one write; what came back. */
async function readAndWrite(acknowledged: string[]) {
  const email = `restart-${++writes}@example.com`;
  const [read, write] = await Promise.all([call('GET', '/v1/customers?limit=1'), call('POST', '/v1/customers', JSON.stringify({ email }))]);
  const results = [] as Array<{ status: number; code?: string; retryAfter: string | null }>;
  for (const res of [read, write]) {
    const body = res.json as { id?: string; error?: { code: string } };
    if (res === write && res.status === 201) acknowledged.push(body.id!);
    results.push({
      status: res.status,
      ...(body?.error ? { code: body.error.code } : {}),
      retryAfter: (res.headers['retry-after'] as string | undefined) ?? null,
    });
  }
  return results;
}

test('Postgres stops and starts under load: 503 with Retry-After while it is gone, 200 after, nothing acknowledged lost, the process never exits', async () => {
  const acknowledged: string[] = [];
  // Clients that keep going through the whole outage.
  let running = true;
  const seen: Array<{ status: number; code?: string; retryAfter: string | null }> = [];
  const clients = Array.from({ length: 3 }, async () => {
    while (running) seen.push(...(await readAndWrite(acknowledged)));
  });
  while (seen.length < 30) await readAndWrite(acknowledged).then((r) => seen.push(...r));
  const before = acknowledged.length;
  assert.ok(before > 0, 'writes were acknowledged before the outage');

  pg.pause();
  const during = await readAndWrite(acknowledged);
  for (const r of during) {
    assert.equal(r.status, 503, JSON.stringify(r));
    assert.equal(r.code, 'database_unavailable');
    assert.ok(Number(r.retryAfter) > 0, 'Retry-After says when to come back');
  }
  pg.resume();

  // Back without restarting the server: the pool opens new connections by itself.
  let back = await readAndWrite(acknowledged);
  for (let i = 0; i < 50 && back.some((r) => r.status !== 200 && r.status !== 201); i++) back = await readAndWrite(acknowledged);
  assert.deepEqual(
    back.map((r) => r.status),
    [200, 201],
  );
  running = false;
  await Promise.all(clients);

  assert.equal(exited, undefined, 'the server process is still running');
  for (const r of seen) assert.ok([200, 201, 503].includes(r.status), `only answers or 503s, got ${JSON.stringify(r)}`);
  assert.ok(acknowledged.length > before, 'writes acknowledged after the outage too');
  for (const id of acknowledged) {
    const res = await call('GET', `/v1/customers/${id}`);
    assert.equal(res.status, 200, `acknowledged customer ${id} is there`);
  }
});
