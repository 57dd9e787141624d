// Graceful shutdown of a real server process: SIGTERM while a request is in flight (its body
// half sent) — the request still gets its answer, new connections are refused, and the process
// exits 0 well inside SHUTDOWN_TIMEOUT_SECONDS.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { freePort, spawnServer } from './support.js';

const dataDir = mkdtempSync(join(tmpdir(), 'cp-shutdown-'));
let server: ChildProcess | undefined;
after(() => {
  server?.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** A GET on a connection of its own (no keep-alive pool): its status, or the connection error's code. */
function freshGet(port: number, path: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = httpGet({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

test('SIGTERM: the in-flight request is answered, new connections are refused, the process exits 0', async () => {
  const port = await freePort();
  const started = spawnServer({
    args: ['--import', 'tsx', 'server/main.ts', '--demo'],
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATA_DIR: dataDir,
      SECRET: 'shutdown-test-secret-0123456789abcdef',
      JOBS_INTERVAL_SECONDS: '1',
      SHUTDOWN_TIMEOUT_SECONDS: '10',
      LOG_LEVEL: 'info',
      DATABASE_URL: '',
    },
    until: /Merchant API key\s+(sk_\S+)/,
  });
  server = started.child;
  const key = (await started.ready)[1]!;
  const exited = new Promise<number | null>((resolve) => server!.on('exit', (code) => resolve(code)));

  // A request whose body is half sent when the signal arrives.
  const body = JSON.stringify({ email: 'in-flight@example.com', name: 'In Flight' });
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let answer = '';
  socket.on('data', (chunk) => (answer += String(chunk)));
  const answered = new Promise<void>((resolve) => socket.on('end', () => resolve()));
  socket.write(
    `POST /v1/customers HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body.slice(0, 10)}`,
  );
  // A second connection's round trip: the server's event loop has read the first one's headers by then.
  assert.equal(await freshGet(port, '/healthz'), 200);

  const signalled = performance.now();
  server.kill('SIGTERM');
  // Once the signal is handled, a new request is refused (or a connection accepted just before is
  // closed unread, or readiness says it is going away).
  let late: number | string = 200;
  for (let i = 0; i < 500 && late === 200; i++) {
    late = await freshGet(port, '/readyz');
  }
  assert.ok(['ECONNREFUSED', 'ECONNRESET', 503].includes(late), `a new request after SIGTERM: ${late}`);

  socket.write(body.slice(10));
  await answered;
  assert.match(answer, /^HTTP\/1\.1 201 /, answer);
  assert.match(answer, /in-flight@example\.com/);
  assert.equal(await exited, 0);
  const seconds = (performance.now() - signalled) / 1000;
  assert.ok(seconds < 10, `exited after ${seconds.toFixed(1)} s`);
  assert.match(started.output(), /"msg":"stopped"/);
});
