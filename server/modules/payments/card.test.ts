// The Luhn check of src/schemas/card.ts, the one the hosted card form, the test provider and the
// fake Stripe all use (each had its own copy once, and they disagreed on short numbers).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { luhnValid } from '../../../src/schemas/card.js';
import { TEST_CARDS } from './test-provider.js';

test('every test card, and known valid numbers of every length, pass', () => {
  for (const number of Object.keys(TEST_CARDS)) assert.ok(luhnValid(number), number);
  // The classic worked example, a 19-digit number, and short ones: the checksum has no length rule.
  for (const number of ['79927398713', '6011000990139424', '4000000000000000006', '18', '0']) assert.ok(luhnValid(number), number);
});

test('one wrong digit anywhere fails', () => {
  for (const number of Object.keys(TEST_CARDS)) {
    for (let i = 0; i < number.length; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === number[i]) continue;
        const typo = number.slice(0, i) + d + number.slice(i + 1);
        assert.equal(luhnValid(typo), false, typo);
      }
    }
  }
});

test('two neighbours swapped fail, but for 09 and 90', () => {
  const number = '4242424242424242';
  for (let i = 0; i + 1 < number.length; i++) {
    const swapped = number.slice(0, i) + number[i + 1] + number[i] + number.slice(i + 2);
    assert.equal(luhnValid(swapped), swapped === number, swapped);
  }
  assert.equal(luhnValid('4000000000000090'), luhnValid('4000000000000009'), 'Luhn cannot tell 09 from 90');
  assert.equal(luhnValid('79927398731'), false);
});

test('anything but digits fails: no space, dash or letter counts as a zero', () => {
  for (const value of ['', ' ', '4242 4242 4242 4242', '4242-4242-4242-4242', '424242424242424x', '0 ', ' 18', '+18', '1.8', '١٨']) {
    assert.equal(luhnValid(value), false, JSON.stringify(value));
  }
});
