import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DAY, HOUR, MINUTE, SECOND } from '../../lib/clock.js';
import { createTestContext, type TestContext } from '../../testing/harness.js';

let t: TestContext;
let org: { id: string; slug: string; key: string };
let n = 0;

/** A new customer per test, so one test's codes and rate limits never touch another's. */
async function customer(name = 'Ada Lovelace') {
  n += 1;
  return t.createCustomer(org.key, { email: `ada${n}@example.com`, name });
}

before(async () => {
  t = await createTestContext();
  org = await t.createOrg('acme', { origins: ['https://shop.example.com'] });
});
after(() => t.close());

function request(email: string, extra: object = {}) {
  return t.request('POST', '/portal/v1/auth/request', { body: { organization: 'acme', email, ...extra } });
}
function verify(email: string, code: string) {
  return t.request('POST', '/portal/v1/auth/verify', { body: { organization: 'acme', email, code } });
}
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('sign-in with an emailed code', () => {
  test('a customer gets a 6-digit code and a one-click link by email, and the code opens a session', async () => {
    const c = await customer();
    const res = await request(c.email.toUpperCase());
    assert.equal(res.status, 202);
    const [mail] = t.mail.to(c.email);
    assert.ok(mail, 'an email was sent');
    assert.match(mail.text, /is: \d{6}/);
    assert.match(mail.text, /http:\/\/portal\.test\/acme\/portal\?cp_token=cpl_/);
    assert.match(mail.html, /Sign in with one click/);
    const session = await verify(c.email, t.mail.lastCode(c.email));
    assert.equal(session.status, 200);
    assert.match(session.body.token, /^cps_[\w-]{43}$/, '256 random bits, base64url');
    assert.equal(new Date(session.body.expires_at).getTime(), t.clock.now().getTime() + 30 * DAY);
    const me = await t.request('GET', '/portal/v1/me', { token: session.body.token });
    assert.equal(me.status, 200);
    assert.equal(me.body.email, c.email);
    assert.equal(me.body.name, 'Ada Lovelace');
  });

  test('an unknown email gets the same 202 and no email; a guess answers as for a known email', async () => {
    const c = await customer();
    const known = await request(c.email);
    const unknown = await request('nobody@example.com');
    assert.equal(unknown.status, known.status);
    assert.deepEqual(unknown.body, known.body);
    assert.equal(t.mail.to('nobody@example.com').length, 0);
    const guessKnown = await verify(c.email, wrong(t.mail.lastCode(c.email)));
    const guessUnknown = await verify('nobody@example.com', '123456');
    assert.equal(guessUnknown.status, guessKnown.status);
    // The same answer, but for the id naming each request.
    const withoutRequestId = (b: { error: Record<string, unknown> }) => ({ error: { ...b.error, request_id: undefined } });
    assert.deepEqual(withoutRequestId(guessUnknown.body), withoutRequestId(guessKnown.body));
    assert.notEqual(guessUnknown.body.error.request_id, guessKnown.body.error.request_id);
  });

  test('five wrong codes kill the code: even the right code then fails', async () => {
    const c = await customer();
    await request(c.email);
    const code = t.mail.lastCode(c.email);
    for (let i = 1; i <= 4; i++) {
      const res = await verify(c.email, wrong(code));
      assert.equal(res.body.error.code, 'code_incorrect');
      assert.equal(res.body.error.details.attempts_left, 5 - i);
    }
    const fifth = await verify(c.email, wrong(code));
    assert.equal(fifth.status, 400);
    assert.equal(fifth.body.error.code, 'code_exhausted');
    const right = await verify(c.email, code);
    assert.equal(right.status, 400);
    assert.equal(right.body.error.code, 'code_exhausted');
    assert.match(right.body.error.message, /Request a new code/);
  });

  test('a used code fails the second time', async () => {
    const c = await customer();
    await request(c.email);
    const code = t.mail.lastCode(c.email);
    assert.equal((await verify(c.email, code)).status, 200);
    const again = await verify(c.email, code);
    assert.equal(again.status, 400);
    assert.equal(again.body.error.code, 'code_invalid');
  });

  test('a code expires after 15 minutes', async () => {
    const c = await customer();
    await request(c.email);
    const code = t.mail.lastCode(c.email);
    t.clock.advance(15 * MINUTE + SECOND);
    const res = await verify(c.email, code);
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'code_expired');
  });

  test('a code is bound to its organization and email', async () => {
    const c = await customer();
    const other = await customer();
    const org2 = await t.createOrg('globex');
    await t.createCustomer(org2.key, { email: c.email });
    await request(c.email);
    const code = t.mail.lastCode(c.email);
    assert.equal((await verify(other.email, code)).status, 400);
    const elsewhere = await t.request('POST', '/portal/v1/auth/verify', { body: { organization: 'globex', email: c.email, code } });
    assert.equal(elsewhere.status, 400);
    assert.equal((await verify(c.email, code)).status, 200);
  });

  test('a new request retires the older code', async () => {
    const c = await customer();
    await request(c.email);
    const first = t.mail.lastCode(c.email);
    await request(c.email);
    const second = t.mail.lastCode(c.email);
    if (first !== second) assert.equal((await verify(c.email, first)).status, 400);
    assert.equal((await verify(c.email, second)).status, 200);
  });

  test('the one-click link signs in once, and using it spends the code', async () => {
    const c = await customer();
    await request(c.email, { return_url: 'https://shop.example.com/account/billing' });
    const mail = t.mail.to(c.email).at(-1)!;
    assert.match(mail.text, /https:\/\/shop\.example\.com\/account\/billing\?cp_token=cpl_/);
    const token = t.mail.lastLinkToken(c.email);
    const code = t.mail.lastCode(c.email);
    const first = await t.request('POST', '/portal/v1/auth/exchange', { body: { token } });
    assert.equal(first.status, 200);
    assert.equal(first.body.return_url, 'https://shop.example.com/account/billing');
    const second = await t.request('POST', '/portal/v1/auth/exchange', { body: { token } });
    assert.equal(second.body.error.code, 'link_invalid');
    assert.equal((await verify(c.email, code)).body.error.code, 'code_invalid');
  });

  test('using the code spends the one-click link', async () => {
    const c = await customer();
    await request(c.email);
    const token = t.mail.lastLinkToken(c.email);
    assert.equal((await verify(c.email, t.mail.lastCode(c.email))).status, 200);
    const res = await t.request('POST', '/portal/v1/auth/exchange', { body: { token } });
    assert.equal(res.body.error.code, 'link_invalid');
  });

  test('a return URL on an origin the organization does not allow is refused', async () => {
    const c = await customer();
    const res = await request(c.email, { return_url: 'https://evil.example.net/phish' });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'return_url_not_allowed');
    assert.equal(t.mail.to(c.email).length, 0);
  });

  test('bad input gets a 400 that names the field in its details, and a message a person can read', async () => {
    const res = await t.request('POST', '/portal/v1/auth/request', { body: { organization: 'acme', email: 'not-an-email' } });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'validation_error');
    assert.equal(res.body.error.message, 'Enter a valid email address, like name@example.com.');
    assert.equal(res.body.error.details[0].path, 'email');
    const code = await t.request('POST', '/portal/v1/auth/verify', { body: { organization: 'acme', email: 'a@b.co', code: '12ab56' } });
    assert.equal(code.body.error.code, 'validation_error');
    const junk = await t.request('POST', '/portal/v1/auth/request', { body: '{"organization":' });
    assert.equal(junk.status, 400);
    assert.equal(junk.body.error.code, 'invalid_json');
    const noOrg = await t.request('POST', '/portal/v1/auth/request', { body: { organization: 'nope', email: 'a@b.co' } });
    assert.equal(noOrg.status, 404);
    assert.equal(noOrg.body.error.code, 'organization_not_found');
  });
});

describe('rate limits', () => {
  test('more than 5 code requests for one email in 15 minutes are refused with Retry-After', async () => {
    const c = await customer();
    for (let i = 0; i < 5; i++) assert.equal((await request(c.email)).status, 202);
    const limited = await request(c.email);
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, 'rate_limited');
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    const other = await customer();
    assert.equal((await request(other.email)).status, 202, 'another email is not affected');
    t.clock.advance(15 * MINUTE);
    assert.equal((await request(c.email)).status, 202, 'the window passes');
  });

  test('more than 30 code requests from one IP in 15 minutes are refused', async () => {
    const headers = { 'x-forwarded-for': '203.0.113.9' };
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      const res = await t.request('POST', '/portal/v1/auth/request', { body: { organization: 'acme', email: `ip${i}@example.com` }, headers });
      statuses.push(res.status);
    }
    assert.deepEqual(statuses.slice(0, 30), Array(30).fill(202));
    assert.equal(statuses[30], 429);
    t.clock.advance(15 * MINUTE);
  });
});

describe('pre-authenticated links', () => {
  test('the merchant makes a link that works exactly once', async () => {
    const c = await customer();
    const link = await t.request('POST', '/v1/customer-sessions', { token: org.key, body: { customer_id: c.id } });
    assert.equal(link.status, 201);
    assert.equal(new Date(link.body.expires_at).getTime(), t.clock.now().getTime() + HOUR);
    assert.equal(link.body.portal_url, `http://portal.test/acme/portal?cp_token=${link.body.token}`);
    const first = await t.request('POST', '/portal/v1/auth/exchange', { body: { token: link.body.token } });
    assert.equal(first.status, 200);
    const me = await t.request('GET', '/portal/v1/me', { token: first.body.token });
    assert.equal(me.body.id, c.id);
    const second = await t.request('POST', '/portal/v1/auth/exchange', { body: { token: link.body.token } });
    assert.equal(second.status, 400);
    assert.equal(second.body.error.code, 'link_invalid');
  });

  test('by external id, and it expires after an hour', async () => {
    const c = await t.createCustomer(org.key, { email: 'ext@example.com', external_id: 'user_42' });
    const link = await t.request('POST', '/v1/customer-sessions', { token: org.key, body: { external_customer_id: 'user_42' } });
    assert.equal(link.body.customer_id, c.id);
    t.clock.advance(HOUR + SECOND);
    const res = await t.request('POST', '/portal/v1/auth/exchange', { body: { token: link.body.token } });
    assert.equal(res.body.error.code, 'link_expired');
  });

  test('needs exactly one customer reference that exists in the organization', async () => {
    const none = await t.request('POST', '/v1/customer-sessions', { token: org.key, body: {} });
    assert.equal(none.body.error.code, 'validation_error');
    const missing = await t.request('POST', '/v1/customer-sessions', { token: org.key, body: { customer_id: 'cus_nope' } });
    assert.equal(missing.status, 404);
    const noKey = await t.request('POST', '/v1/customer-sessions', { body: { customer_id: 'x' } });
    assert.equal(noKey.status, 401);
    assert.equal(noKey.body.error.code, 'invalid_api_key');
  });
});

describe('sessions', () => {
  test('sign-out revokes the token on the server', async () => {
    const c = await customer();
    const token = await t.signIn('acme', c.email);
    assert.equal((await t.request('POST', '/portal/v1/auth/sign-out', { token })).status, 204);
    const me = await t.request('GET', '/portal/v1/me', { token });
    assert.equal(me.status, 401);
    assert.equal(me.body.error.code, 'session_expired');
  });

  test('a session slides: used within 30 days it lives on; 30 idle days end it', async () => {
    const c = await customer();
    const token = await t.signIn('acme', c.email);
    t.clock.advance(29 * DAY);
    assert.equal((await t.request('GET', '/portal/v1/me', { token })).status, 200);
    t.clock.advance(29 * DAY);
    assert.equal((await t.request('GET', '/portal/v1/me', { token })).status, 200, '58 days after sign-in, used on day 29');
    t.clock.advance(30 * DAY + SECOND);
    assert.equal((await t.request('GET', '/portal/v1/me', { token })).status, 401);
  });

  test('the merchant can revoke all of a customer’s sessions', async () => {
    const c = await customer();
    const a = await t.signIn('acme', c.email);
    const b = await t.signIn('acme', c.email);
    const res = await t.request('DELETE', `/v1/customers/${c.id}/sessions`, { token: org.key });
    assert.deepEqual(res.body, { revoked: 2 });
    for (const token of [a, b]) assert.equal((await t.request('GET', '/portal/v1/me', { token })).status, 401);
  });

  test('no token, or a made-up one, gets 401', async () => {
    assert.equal((await t.request('GET', '/portal/v1/me')).body.error.code, 'unauthenticated');
    assert.equal((await t.request('GET', '/portal/v1/me', { token: 'cps_made-up' })).status, 401);
  });
});

describe('isolation between customers and organizations', () => {
  test("customer A's token reads and changes only A, whatever it sends", async () => {
    const a = await customer('A');
    const b = await customer('B');
    const token = await t.signIn('acme', a.email);
    const patched = await t.request('PATCH', '/portal/v1/me', { token, body: { name: 'Changed', id: b.id, email: b.email } });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.id, a.id);
    const bRow = await t.request('GET', `/v1/customers/${b.id}`, { token: org.key });
    assert.equal(bRow.body.name, 'B');
    assert.equal(bRow.body.email, b.email);
    const merchantWithSession = await t.request('GET', `/v1/customers/${b.id}`, { token });
    assert.equal(merchantWithSession.status, 401, 'a session token is not a merchant key');
  });

  test('one organization can neither see nor sign in the customers of another', async () => {
    const other = await t.createOrg('initech');
    const theirs = await t.createCustomer(other.key, { email: 'milton@initech.example' });
    assert.equal((await t.request('GET', `/v1/customers/${theirs.id}`, { token: org.key })).status, 404);
    assert.equal((await t.request('PATCH', `/v1/customers/${theirs.id}`, { token: org.key, body: { name: 'x' } })).status, 404);
    const link = await t.request('POST', '/v1/customer-sessions', { token: org.key, body: { customer_id: theirs.id } });
    assert.equal(link.status, 404);
    const revoke = await t.request('DELETE', `/v1/customers/${theirs.id}/sessions`, { token: org.key });
    assert.equal(revoke.status, 404);
    await t.request('POST', '/portal/v1/auth/request', { body: { organization: 'acme', email: 'milton@initech.example' } });
    assert.equal(t.mail.to('milton@initech.example').length, 0, 'no code: not a customer of acme');
  });
});

describe('logs', () => {
  test('never contain codes, tokens or secret keys', async () => {
    const c = await customer();
    await request(c.email);
    const code = t.mail.lastCode(c.email);
    const linkToken = t.mail.lastLinkToken(c.email);
    const session = (await verify(c.email, code)).body.token as string;
    await t.request('GET', '/portal/v1/me', { token: session });
    await t.request('GET', '/portal/v1/me', { token: 'cps_bogus' });
    const all = t.logs.join('\n');
    assert.ok(t.logs.length > 3, 'requests were logged');
    for (const secret of [code, linkToken, session, org.key]) assert.ok(!all.includes(secret), `log leaks ${secret.slice(0, 4)}…`);
  });
});

describe('the session cache', () => {
  test('requests that find the cached session stale at the same moment share one look-up, and all answer', async () => {
    const { SESSION_CACHE_MS } = await import('./service.js');
    const { onStatement } = await import('../../testing/database.js');
    const c = await customer();
    const token = await t.signIn('acme', c.email);
    assert.equal((await t.request('GET', '/portal/v1/me', { token })).status, 200);
    t.clock.advance(SESSION_CACHE_MS);
    const sessionReads: string[] = [];
    const stop = onStatement(t.database.db, (text) => {
      if (/from "sessions"/i.test(text)) sessionReads.push(text);
    });
    const answers = await Promise.all(Array.from({ length: 20 }, () => t.request('GET', '/portal/v1/me', { token })));
    stop();
    assert.deepEqual(
      answers.map((a) => [a.status, a.body.email]),
      answers.map(() => [200, c.email]),
    );
    assert.equal(sessionReads.length, 1, `one look-up of the session for 20 requests, not ${sessionReads.length}`);
  });
});

describe('several server instances', () => {
  test('a session revoked through another instance stops working here within the session cache time', async () => {
    const { createApp } = await import('../../app.js');
    const { Background } = await import('../../lib/background.js');
    const { silentLogger } = await import('../../lib/logger.js');
    const { SESSION_CACHE_MS } = await import('./service.js');
    const other = createApp({
      database: t.database,
      config: t.config,
      clock: t.clock,
      mailer: t.mail,
      logger: silentLogger,
      background: new Background(silentLogger),
    });
    const c = await customer();
    const token = await t.signIn('acme', c.email);
    assert.equal((await t.request('GET', '/portal/v1/me', { token })).status, 200);
    const revoked = await other.request(`/v1/customers/${c.id}/sessions`, { method: 'DELETE', headers: { authorization: `Bearer ${org.key}` } });
    assert.equal(revoked.status, 200);
    assert.equal((await other.request('/portal/v1/me', { headers: { authorization: `Bearer ${token}` } })).status, 401, 'refused at once where it was revoked');
    t.clock.advance(SESSION_CACHE_MS);
    assert.equal((await t.request('GET', '/portal/v1/me', { token })).status, 401, 'and here once the cache time has passed');
  });
});
