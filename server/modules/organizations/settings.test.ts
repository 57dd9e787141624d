// sectionSetting is what requireSection asks on every portal request: it must say what
// resolvePortalSettings(stored).sections[section] says, for whatever is stored.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sectionIds } from '../../../src/schemas/organization.js';
import { resolvePortalSettings, sectionSetting } from './settings.js';

test('sectionSetting answers as the resolved settings do, for every section and any stored value', () => {
  const stored: unknown[] = [
    null,
    undefined,
    {},
    { sections: null },
    { sections: {} },
    { sections: { orders: false, usage: true } },
    { sections: { seats: false, wallet: null, benefits: 0 }, actions: { pause: true } },
    { sections: ['orders'] },
    { sections: 'orders' },
    { sections: Object.assign(Object.create({ orders: false }), { usage: false }) },
    'not an object',
    42,
  ];
  for (const value of stored) {
    const resolved = resolvePortalSettings(value);
    for (const section of sectionIds) {
      assert.equal(sectionSetting(value, section), resolved.sections[section], `${JSON.stringify(value)} ${section}`);
    }
  }
});
