// kill -9 between storing an email and sending it: a real server process asks a real SMTP
// server (here, on loopback) to take a sign-in email, the SMTP server holds the message open,
// the process is killed. A new process on the same database sends it once the dead one's claim
// has lapsed — once, with the same Message-ID — and nothing is lost.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { freePort, spawnServer } from './support.js';
import { openPGlite, pgliteDataDir } from '../../server/db/client.js';
import { startSmtp } from '../../server/testing/smtp.js';

const dataDir = mkdtempSync(join(tmpdir(), 'cp-email-crash-'));
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

function startServer(port: number, smtpPort: number, demo: boolean) {
  const server = spawnServer({
    args: ['--import', 'tsx', 'server/main.ts', ...(demo ? ['--demo'] : [])],
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATA_DIR: dataDir,
      SECRET: 'email-crash-secret-0123456789abcdef',
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      JOBS_INTERVAL_SECONDS: '1',
      LOG_LEVEL: 'info',
      DATABASE_URL: '',
    },
  });
  children.push(server.child);
  return server;
}

test('kill -9 while an email is being sent: a new process sends it once, with the same Message-ID', { timeout: 180_000 }, async () => {
  const smtp = await startSmtp();
  const port = await freePort();
  const first = startServer(port, smtp.port, true);
  await first.ready;

  smtp.state.hold = true;
  const signIn = (m: { to: string[]; raw: string }) => m.to.includes('alice@example.com') && /Subject: Your sign-in code/i.test(m.raw);
  const held = new Promise<{ raw: string }>((resolve) => smtp.events.on('held', (m) => signIn(m) && resolve(m)));
  const res = await fetch(`http://127.0.0.1:${port}/portal/v1/auth/request`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ organization: 'acme', email: 'alice@example.com' }),
  });
  assert.equal(res.status, 202);
  const inFlight = await held;
  const messageId = /Message-ID: (<[^>]+>)/i.exec(inFlight.raw)?.[1];
  assert.ok(messageId, 'the message carries a Message-ID');
  first.child.kill('SIGKILL');
  await once(first.child, 'exit');
  assert.equal(smtp.received.filter(signIn).length, 0, 'nothing was delivered: the process died mid-send');

  // The dead process's claim lapses after EMAIL_LEASE_MS (60 s); the test moves that time on
  // in the database instead of waiting it out.
  const db = await openPGlite({ dataDir: pgliteDataDir(dataDir) });
  const pending = await db.db
    .selectFrom('outbox_emails')
    .select(['id', 'status'])
    .where('to_address', '=', 'alice@example.com')
    .where('status', '=', 'pending')
    .execute();
  const stored = pending.find((row) => messageId === `<${row.id}@127.0.0.1>`);
  assert.ok(stored, 'the email is stored, not lost');
  await db.db
    .updateTable('outbox_emails')
    .set({ locked_until: new Date(Date.now() - 1000) })
    .where('status', '=', 'pending')
    .execute();
  await db.close();

  smtp.state.hold = false;
  const delivered = new Promise<{ to: string[]; raw: string }>((resolve) => smtp.events.on('received', (m) => signIn(m) && resolve(m)));
  const second = startServer(port, smtp.port, false);
  await second.ready;
  const message = await delivered;
  assert.deepEqual(message.to, ['alice@example.com']);
  assert.match(message.raw, new RegExp(`Message-ID: ${messageId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'i'), 'the same Message-ID');
  assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
  second.child.kill('SIGTERM');
  await once(second.child, 'exit');
  assert.equal(smtp.received.filter(signIn).length, 1, 'sent once');
  const after = await openPGlite({ dataDir: pgliteDataDir(dataDir) });
  const row = await after.db.selectFrom('outbox_emails').select(['status', 'attempts']).where('id', '=', stored.id).executeTakeFirstOrThrow();
  await after.close();
  assert.deepEqual([row.status, row.attempts], ['sent', 2]);
  await smtp.stop();
});
