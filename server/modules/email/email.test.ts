import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../lib/logger.js';
import { TestClock } from '../../lib/clock.js';
import { createTestContext, type TestContext } from '../../testing/harness.js';
import { startSmtp, type TestSmtp } from '../../testing/smtp.js';
import { smtpMailer } from './mailer.js';
import { outboxMailer } from './outbox.js';
import { emailChangeEmail, noticeEmail, signInEmail } from './templates.js';

describe('email over SMTP', () => {
  let smtp: TestSmtp;
  before(async () => {
    smtp = await startSmtp();
  });
  after(() => smtp.stop());

  test('a sign-in email really goes over SMTP with the code and the link', async () => {
    const mailer = smtpMailer(`smtp://127.0.0.1:${smtp.port}`, 'Acme <billing@acme.test>', silentLogger);
    const email = signInEmail({
      brand: { name: 'Acme & Co' },
      locale: 'en',
      code: '042137',
      link: 'https://shop.example.com/billing?cp_token=cpl_abc',
      minutes: 15,
    });
    await mailer.send({ organizationId: null, to: 'zoe@example.com', ...email });
    await mailer.close?.();
    assert.equal(smtp.received.length, 1);
    const [message] = smtp.received;
    assert.equal(message!.from, 'billing@acme.test');
    assert.deepEqual(message!.to, ['zoe@example.com']);
    assert.match(message!.raw, /Subject: Your sign-in code for Acme & Co/);
    assert.match(message!.raw, /042137/);
    assert.match(message!.raw, /cp_token=3Dcpl_abc|cp_token=cpl_abc/);
    assert.match(message!.raw, /Acme &amp; Co/, 'the HTML part escapes the organization name');
  });
});

describe('the dev outbox', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestContext();
  });
  after(() => t.close());

  test('stores mail and lists it as HTML and as JSON', async () => {
    const mailer = outboxMailer(t.database.db, new TestClock(), silentLogger, 'http://portal.test', false);
    const email = signInEmail({ brand: { name: 'Acme' }, locale: 'en', code: '123456', link: 'http://portal.test/acme/portal?cp_token=cpl_x', minutes: 15 });
    await mailer.send({ organizationId: null, to: 'zoë@example.com', ...email });
    const json = await t.request('GET', '/dev/outbox', { headers: { accept: 'application/json' } });
    assert.equal(json.body.data[0].to, 'zoë@example.com');
    assert.match(json.body.data[0].text, /is: 123456/);
    const html = await t.request('GET', '/dev/outbox');
    assert.match(html.body, /Your sign-in code for Acme/);
    assert.match(html.body, /is: 123456/);
  });

  test('is never served in production', async () => {
    const prod = await createTestContext({ production: true });
    try {
      assert.equal((await prod.request('GET', '/dev/outbox', { headers: { accept: 'application/json' } })).status, 404);
    } finally {
      await prod.close();
    }
  });
});

describe('emails in the customer’s language', () => {
  test('Hebrew and Arabic emails are right to left, everything interpolated is still escaped', () => {
    const brand = { name: '<b>Acme</b> & "Co"' };
    const signIn = signInEmail({ brand, locale: 'he', code: '123456', link: 'https://shop.example/?a=1&cp_token=cpl_x"><script>', minutes: 15 });
    assert.equal(signIn.subject, 'קוד הכניסה שלך ל-<b>Acme</b> & "Co"', 'the subject is text, not HTML');
    assert.match(signIn.html, /^<!doctype html><html lang="he" dir="rtl">/);
    assert.match(signIn.html, /&lt;b&gt;Acme&lt;\/b&gt; &amp; &quot;Co&quot;/);
    assert.doesNotMatch(signIn.html, /<script>|<b>Acme/);
    assert.match(signIn.html, /href="https:\/\/shop\.example\/\?a=1&amp;cp_token=cpl_x&quot;&gt;&lt;script&gt;"/);
    assert.match(signIn.text, /^קוד הכניסה שלך ל-<b>Acme<\/b> & "Co" הוא: 123456$/m);

    const notice = noticeEmail({
      brand,
      locale: 'ar',
      subject: 'عنوان',
      heading: 'عنوان <i>',
      paragraphs: ['فقرة & <u>'],
      facts: [['المبلغ', '€ 1,234.56']],
      action: { label: 'فتح البوابة', url: 'https://portal.example/acme/portal' },
    });
    assert.match(notice.html, /<html lang="ar" dir="rtl">/);
    assert.match(notice.html, /عنوان &lt;i&gt;/);
    assert.match(notice.html, /فقرة &amp; &lt;u&gt;/);
    assert.match(notice.html, /<td style="[^"]*text-align:right">المبلغ<\/td><td style="[^"]*text-align:left;[^"]*">€ 1,234\.56<\/td>/);
  });

  test('left-to-right languages keep the left-aligned frame; an unknown locale is English', () => {
    const fr = emailChangeEmail({ brand: { name: 'Acme' }, locale: 'fr', code: '654321', minutes: 15 });
    assert.equal(fr.subject, 'Confirmez votre nouvelle adresse e-mail pour Acme');
    assert.match(fr.html, /<html lang="fr" dir="ltr">/);
    assert.match(fr.text, /^Votre code de confirmation est : 654321$/m);
    assert.match(fr.text, /Il expire dans 15 minutes\./);
    const unknown = signInEmail({ brand: { name: 'Acme' }, locale: 'xx', code: '111111', link: 'https://x.example', minutes: 1 });
    assert.match(unknown.html, /<html lang="en" dir="ltr">/);
    assert.match(unknown.text, /expire in 1 minute\./, 'singular');
  });
});
