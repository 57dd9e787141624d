import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../../testing/harness.js';
import { spyOnQueries } from '../../testing/query-spy.js';

let t: TestContext;
let key: string;

before(async () => {
  t = await createTestContext();
  ({ key } = await t.createOrg('acme'));
});
after(() => t.close());

describe('the test provider’s card fields are bounded', () => {
  test('an expiry no card can have is 400, not a 500 from an int4 column; a past or impossible date is still a decline', async () => {
    await t.createCustomer(key, { email: 'card@example.com' });
    const token = await t.signIn('acme', 'card@example.com');
    const confirm = async (fields: Record<string, unknown>) => {
      const setup = await t.request('POST', '/portal/v1/payment-methods/setup', { token });
      assert.equal(setup.status, 201);
      return t.request('POST', `/test-provider/setup-intents/${setup.body.setup_intent_id}/confirm`, {
        body: { client_secret: setup.body.client_secret, number: '4242 4242 4242 4242', exp_month: 12, exp_year: 2034, cvc: '123', ...fields },
      });
    };
    for (const fields of [
      { exp_year: 2147483648 },
      { exp_year: -2147483649 },
      { exp_year: 10000 },
      { exp_month: 2147483648 },
      { exp_month: -1 },
      { exp_year: Number.MAX_SAFE_INTEGER },
    ]) {
      const res = await confirm(fields);
      assert.equal(res.status, 400, JSON.stringify(fields));
      assert.equal(res.body.error.code, 'validation_error');
      assert.equal(res.body.error.details[0].path, Object.keys(fields)[0]);
    }
    for (const fields of [{ exp_year: 1e308 }, { exp_year: 20.5 }, { exp_month: '12' }]) {
      assert.equal((await confirm(fields)).status, 400, JSON.stringify(fields));
    }
    for (const fields of [{ exp_month: 13 }, { exp_year: 2001 }]) {
      const declined = await confirm(fields);
      assert.equal(declined.status, 402, JSON.stringify(fields));
      assert.equal(declined.body.error.code, 'invalid_expiry');
    }
    assert.equal((await confirm({ exp_year: 9999 })).status, 200, 'far in the future is a valid card');
    assert.equal((await confirm({ exp_year: 34 })).status, 200, 'two digits mean 20xx');
  });
});

describe('auth/request does the same work for known and unknown emails', () => {
  const ask = async (email: string, ip: string): Promise<Response> =>
    t.app.request('/portal/v1/auth/request', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
      body: JSON.stringify({ organization: 'acme', email }),
    });

  test('the same statements, in the same order, before the answer; the known customer’s email follows it', async () => {
    await t.createCustomer(key, { email: 'known@example.com', name: 'Known Person' });
    const spy = spyOnQueries(t.database.db);
    try {
      const shape = (sql: string[]) => sql.map((q) => q.replace(/\$\d+/g, '$'));
      const known = await spy.during(() => ask('known@example.com', '10.0.0.1'));
      const sentBefore = t.mail.to('known@example.com').length;
      await t.background.drain();
      const unknown = await spy.during(() => ask('unknown@example.com', '10.0.0.2'));
      await t.background.drain();
      assert.equal(known.result.status, 202);
      assert.equal(unknown.result.status, 202);
      assert.deepEqual(await known.result.json(), await unknown.result.json());
      assert.deepEqual(shape(known.sql), shape(unknown.sql));
      assert.ok(known.sql.length >= 4, known.sql.join('\n'));
      assert.ok(!known.sql.some((q) => /link_tokens/.test(q)), 'the link token is stored after the answer');
      assert.equal(sentBefore, 0, 'nor is the email sent before it');
      assert.equal(t.mail.to('known@example.com').length, 1, 'but it is sent');
      // And the code and link in it work.
      const verify = await t.request('POST', '/portal/v1/auth/verify', {
        body: { organization: 'acme', email: 'known@example.com', code: t.mail.lastCode('known@example.com') },
      });
      assert.equal(verify.status, 200);
    } finally {
      spy.restore();
    }
  });

  test('measured: the answer takes as long for either (reported, not asserted: timing is for benchmarks)', async (ctx) => {
    const emails = Array.from({ length: 30 }, (_, i) => `timing-${i}@example.com`);
    for (const email of emails) await t.createCustomer(key, { email });
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < emails.length; i++) {
      for (const [list, email] of [
        [known, emails[i]!],
        [unknown, `nobody-${i}@example.com`],
      ] as const) {
        const started = performance.now();
        const res = await ask(email, `10.1.${i}.${list === known ? 1 : 2}`);
        list.push(performance.now() - started);
        assert.equal(res.status, 202);
        await t.background.drain();
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    ctx.diagnostic(`auth/request median: known ${median(known).toFixed(2)} ms, unknown ${median(unknown).toFixed(2)} ms (${emails.length} each, in-process)`);
  });
});
