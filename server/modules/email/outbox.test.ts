// The durable outbox over a real SMTP server on loopback: every email is a row first; sent at
// once when SMTP answers; an SMTP outage never fails the request and the email job sends it when
// SMTP is back (same Message-ID on every attempt); a final failure is visible to the merchant;
// a sign-in email is not sent after its code expired; bodies are not kept in clear.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MINUTE, SECOND } from '../../lib/clock.js';
import { createTestContext, type TestContext } from '../../testing/harness.js';
import { startSmtp, type TestSmtp } from '../../testing/smtp.js';
import { smtpMailer, type Mailer } from './mailer.js';
import { EMAIL_RETRY_DELAYS_MS, outboxMailer } from './outbox.js';

let smtp: TestSmtp;
let t: TestContext;
let outbox: Mailer;
let org: { id: string; slug: string; key: string };

before(async () => {
  smtp = await startSmtp();
  t = await createTestContext(
    {},
    {
      mailer: (database, clock, logger) =>
        (outbox = outboxMailer(database.db, clock, logger, 'http://portal.test', false, {
          transport: smtpMailer(`smtp://127.0.0.1:${smtp.port}`, 'Acme <billing@acme.test>', logger),
          secret: 'test-secret-that-is-long-enough-0123456789',
        })),
    },
  );
  org = await t.createOrg('mailshop');
});
after(async () => {
  await t.close();
  await smtp.stop();
});

const rows = (to: string) => t.database.db.selectFrom('outbox_emails').selectAll().where('to_address', '=', to).orderBy('id').execute();
const codeOf = (raw: string) => /\b(\d{6})\b/.exec(raw.replace(/=\r?\n/g, ''))?.[1];

describe('the durable outbox', () => {
  test('an email is a row first, sent at once over SMTP with the row as its Message-ID, and its body not kept', async () => {
    await t.createCustomer(org.key, { email: 'ada@example.com' });
    const res = await t.request('POST', '/portal/v1/auth/request', { body: { organization: org.slug, email: 'ada@example.com' } });
    assert.equal(res.status, 202);
    const [row] = await rows('ada@example.com');
    assert.equal(row!.status, 'sent');
    assert.equal(row!.text_body, '', 'blanked once sent');
    const got = smtp.received.filter((m) => m.to.includes('ada@example.com'));
    assert.equal(got.length, 1);
    assert.match(got[0]!.raw, new RegExp(`Message-ID: <${row!.id}@portal\\.test>`, 'i'));
    assert.ok(codeOf(got[0]!.raw), 'the code went out');
  });

  test('SMTP down: the request still succeeds; the job sends it when SMTP is back, once, with the same Message-ID; never in clear in the database', async () => {
    await t.createCustomer(org.key, { email: 'bo@example.com' });
    smtp.state.refuse = true;
    const res = await t.request('POST', '/portal/v1/auth/request', { body: { organization: org.slug, email: 'bo@example.com' } });
    assert.equal(res.status, 202, 'an SMTP outage does not fail the request');
    let [row] = await rows('bo@example.com');
    assert.equal(row!.status, 'pending');
    assert.equal(row!.attempts, 1);
    assert.ok(!/\d{6}/.test(row!.text_body), 'the code is sealed at rest while it waits');
    assert.match(row!.last_error ?? '', /try again later/);
    // Not before its retry time.
    assert.deepEqual((await t.runJobs()).emails, { sent: 0, failed: 0, retried: 0 });
    smtp.state.refuse = false;
    t.clock.advance(EMAIL_RETRY_DELAYS_MS[0] + SECOND);
    const ran = await t.runJobs();
    assert.equal(ran.emails.sent, 1);
    [row] = await rows('bo@example.com');
    assert.equal(row!.status, 'sent');
    const got = smtp.received.filter((m) => m.to.includes('bo@example.com'));
    assert.equal(got.length, 1, 'sent once');
    assert.match(got[0]!.raw, new RegExp(`Message-ID: <${row!.id}@portal\\.test>`, 'i'));
    assert.equal((await t.runJobs()).emails.sent, 0, 'and not again');
  });

  test('every retry refused: failed for good, and the merchant sees it; a sign-in email is not sent after its code expired', async () => {
    smtp.state.refuse = true;
    await t.createCustomer(org.key, { email: 'cy@example.com' });
    await t.request('POST', '/portal/v1/auth/request', { body: { organization: org.slug, email: 'cy@example.com' } });
    // Past the code's 15 minutes: the next attempt gives up instead of sending a dead code.
    t.clock.advance(16 * MINUTE);
    smtp.state.refuse = false;
    await t.runJobs();
    const [expired] = await rows('cy@example.com');
    assert.equal(expired!.status, 'failed');
    assert.match(expired!.last_error ?? '', /expired/);
    assert.equal(smtp.received.filter((m) => m.to.includes('cy@example.com')).length, 0);

    // A notice (no expiry) refused on every attempt: 1 + one per retry delay, then failed.
    smtp.state.refuse = true;
    await outbox.send({ organizationId: org.id, to: 'di@example.com', subject: 'Your invoice', text: 'Thanks', html: '<p>Thanks</p>' });
    for (const delay of EMAIL_RETRY_DELAYS_MS) {
      t.clock.advance(delay + SECOND);
      await t.runJobs();
    }
    const [gaveUp] = await rows('di@example.com');
    assert.deepEqual([gaveUp!.status, gaveUp!.attempts], ['failed', EMAIL_RETRY_DELAYS_MS.length + 1]);
    const failed = (await t.request('GET', '/v1/emails?status=failed', { token: org.key })).body;
    assert.deepEqual(failed.data.map((e: { to: string }) => e.to).sort(), ['cy@example.com', 'di@example.com'], 'the merchant sees what never arrived');
    assert.match(failed.data.find((e: { to: string }) => e.to === 'di@example.com').last_error, /try again later/);
    smtp.state.refuse = false;
  });
});
