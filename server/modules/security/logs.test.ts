import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createLogger } from '../../lib/logger.js';
import { createTestContext, type TestContext } from '../../testing/harness.js';

// A merchant's receiver that answers 500 and echoes what it got: the delivery log (kept for
// the merchant) may hold its answer, the server's log may not.
const echo: typeof fetch = async (_url, init) => new Response(String(init?.body ?? ''), { status: 500 });

const NAME = 'Zbigniew Sekretny-Nazwisko';
const EMAIL = 'zbigniew@example.com';

let t: TestContext;
let key: string;

before(async () => {
  t = await createTestContext({ webhookAllowPrivateUrls: true }, { fetch: echo });
  ({ key } = await t.createOrg('acme'));
});
after(() => t.close());

describe('logs hold no secrets', () => {
  test('a run through sign-in, sessions, keys, webhooks and failing queries logs none of its secrets or names', async () => {
    const customer = await t.createCustomer(key, { email: EMAIL, name: NAME });
    // Sign in by code, by email link, and by a pre-authenticated link.
    const session = await t.signIn('acme', EMAIL);
    await t.request('POST', '/portal/v1/auth/request', { body: { organization: 'acme', email: EMAIL } });
    const fromLink = await t.request('POST', '/portal/v1/auth/exchange', { body: { token: t.mail.lastLinkToken(EMAIL) } });
    assert.equal(fromLink.status, 200);
    const preAuth = await t.request('POST', '/v1/customer-sessions', { token: key, body: { customer_id: customer.id } });
    assert.equal((await t.request('POST', '/portal/v1/auth/exchange', { body: { token: preAuth.body.token } })).status, 200);
    // Wrong codes and stale tokens are logged, if at all, without what was sent.
    await t.request('POST', '/portal/v1/auth/verify', { body: { organization: 'acme', email: EMAIL, code: '000000' } });
    await t.request('GET', '/portal/v1/me', { token: `${session}x` });
    await t.request('GET', '/v1/customers', { token: `${key}x` });

    // Webhooks: an endpoint, a rotation, deliveries that fail with the payload echoed back.
    const endpoint = await t.request('POST', '/v1/webhook-endpoints', {
      token: key,
      body: { url: 'https://hooks.example.com/in', events: ['customer.updated'] },
    });
    assert.equal(endpoint.status, 201);
    const rotated = await t.request('POST', `/v1/webhook-endpoints/${endpoint.body.id}/rotate-secret`, { token: key });
    assert.equal(rotated.status, 200);
    assert.equal((await t.request('PATCH', '/portal/v1/me', { token: session, body: { name: `${NAME} Jr` } })).status, 200);
    await t.runJobs();
    const deliveries = await t.request('GET', `/v1/webhook-endpoints/${endpoint.body.id}/deliveries`, { token: key });
    assert.match(deliveries.body.data[0].last_error, /Sekretny/, 'the merchant sees what their receiver answered');

    // Queries that fail inside the server: the failing row and the parameters hold the name
    // and a fresh webhook secret; the log names the constraint and table only.
    await sql`ALTER TABLE customers ADD CONSTRAINT audit_no_rename CHECK (name NOT LIKE '%III%')`.execute(t.database.db);
    await sql.raw(`ALTER TABLE webhook_endpoints ADD CONSTRAINT audit_no_rotate CHECK (secret = '${rotated.body.secret}')`).execute(t.database.db);
    const failed = await t.request('PATCH', '/portal/v1/me', { token: session, body: { name: `${NAME} III` } });
    assert.equal(failed.status, 500);
    const failedRotation = await t.request('POST', `/v1/webhook-endpoints/${endpoint.body.id}/rotate-secret`, { token: key });
    assert.equal(failedRotation.status, 500);

    const unhandled = t.logs.filter((line) => line.includes('"unhandled error"')).map((line) => JSON.parse(line));
    assert.equal(unhandled.length, 2);
    assert.deepEqual(
      unhandled.map((l) => [l.err.type, l.err.sqlstate, l.err.table, l.err.constraint]),
      [
        ['DatabaseError', '23514', 'customers', 'audit_no_rename'],
        ['DatabaseError', '23514', 'webhook_endpoints', 'audit_no_rotate'],
      ],
    );
    for (const line of unhandled) {
      for (const field of ['query', 'params', 'parameters', 'detail', 'where', 'sql']) assert.equal(line.err[field], undefined, field);
    }

    // What the audit checked (the harness checks every test file the same way when it closes).
    for (const mail of t.mail.sent) t.audit.fromMail(mail.text);
    const kinds = [...t.audit.secrets.values()].join('\n');
    for (const kind of ['a secret key', 'a sign-in code', 'a link token', 'a session token', 'a webhook secret', 'a customer name']) {
      assert.ok(kinds.includes(kind), `the audit knows ${kind}`);
    }
    assert.ok(t.logs.length > 20, `${t.logs.length} log lines`);
    const text = t.logs.join('');
    for (const secret of [session, key, EMAIL, NAME, 'Sekretny', 'whsec_']) assert.ok(!text.includes(secret), secret);
    assert.doesNotMatch(text, /\b(?:cps|cpl|sk)_[A-Za-z0-9_-]{43}/);
    assert.deepEqual(t.audit.leaks(t.logs), []);
  });
});

describe('the logger itself', () => {
  const capture = () => {
    const lines: string[] = [];
    const logger = createLogger(
      'debug',
      new Writable({
        write: (chunk, _e, done) => {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    return { logger, last: () => JSON.parse(lines.at(-1)!) };
  };

  test('censors authorization headers, cookies, tokens, keys, secrets and sign-in codes', () => {
    const { logger, last } = capture();
    logger.info(
      {
        req: { headers: { authorization: 'Bearer cps_x', cookie: 'a=b', accept: 'text/html' } },
        headers: { authorization: 'Bearer sk_x' },
        token: 'cps_y',
        body: { code: '123456', secret: 'whsec_z', key: 'LK-1', client_secret: 'seti_secret' },
        endpoint: { secret: 'whsec_q' },
      },
      'x',
    );
    const line = last();
    assert.equal(line.req.headers.authorization, '[redacted]');
    assert.equal(line.req.headers.cookie, '[redacted]');
    assert.equal(line.req.headers.accept, 'text/html');
    assert.equal(line.headers.authorization, '[redacted]');
    assert.equal(line.token, '[redacted]');
    assert.deepEqual(line.body, { code: '[redacted]', secret: '[redacted]', key: '[redacted]', client_secret: '[redacted]' });
    assert.equal(line.endpoint.secret, '[redacted]');
  });

  test('keeps error codes: only a six-digit code is a sign-in code', () => {
    const { logger, last } = capture();
    logger.warn({ code: 'ECONNREFUSED', err: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) }, 'x');
    assert.equal(last().code, 'ECONNREFUSED');
    assert.equal(last().err.code, 'ECONNREFUSED');
    logger.warn({ code: '654321' }, 'x');
    assert.equal(last().code, '[redacted]');
  });

  test('an error with SQL, parameters or a request attached keeps only its kind, message and stack', () => {
    const { logger, last } = capture();
    const cause = Object.assign(new Error('inner'), { params: ['Ada Lovelace'], sql: 'select $1' });
    logger.error({ err: Object.assign(new Error('outer', { cause }), { query: 'insert …', parameters: ['whsec_1'], status: 502 }) }, 'x');
    const { err } = last();
    assert.equal(err.message, 'outer');
    assert.equal(err.status, 502);
    assert.equal(err.query, undefined);
    assert.equal(err.parameters, undefined);
    assert.equal(err.cause.message, 'inner');
    assert.equal(err.cause.params, undefined);
    assert.equal(err.cause.sql, undefined);
  });

  test('a Postgres message quoting a value keeps the identifiers and hides the value', async () => {
    const { logger, last } = capture();
    try {
      await sql`select ${'Ada Lovelace'}::int`.execute(t.database.db);
      assert.fail('the cast should fail');
    } catch (error) {
      logger.error({ err: error }, 'x');
    }
    const { err } = last();
    assert.equal(err.sqlstate, '22P02');
    assert.doesNotMatch(JSON.stringify(err), /Lovelace/);
    assert.match(err.message, /invalid input syntax for type integer/);
  });
});
