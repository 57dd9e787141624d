import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../../testing/harness.js';

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
    for (const fields of [{ exp_year: 2147483648 }, { exp_year: -2147483649 }, { exp_year: 10000 }, { exp_month: 2147483648 }, { exp_month: -1 }, { exp_year: Number.MAX_SAFE_INTEGER }]) {
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
