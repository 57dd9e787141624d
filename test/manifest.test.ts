// The custom elements manifest (dist/custom-elements.json, written by `npm run analyze` after the
// build): editors, documentation tools and framework wrappers learn the elements from it, so
// it must list every element a page can use, with the events each one dispatches.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { elements } from '../src/views/registry.js';

interface Named {
  name: string;
  type?: { text: string };
}
interface Declaration {
  name: string;
  tagName?: string;
  customElement?: boolean;
  events?: Named[];
  attributes?: Named[];
  members?: Named[];
  cssParts?: Named[];
  cssProperties?: Named[];
}

const manifest = JSON.parse(readFileSync('dist/custom-elements.json', 'utf8')) as { modules: Array<{ declarations?: Declaration[] }> };
const definitions = manifest.modules.flatMap((m) => m.declarations ?? []).filter((d) => d.customElement);
const byTag = new Map(definitions.map((d) => [d.tagName, d]));
const names = (list: Named[] | undefined) => (list ?? []).map((item) => item.name).sort();
const element = (tag: string) => {
  const declaration = byTag.get(tag);
  assert.ok(declaration, `${tag} is not in custom-elements.json`);
  return declaration;
};

const SESSION = ['cp-signed-in', 'cp-signed-out'];
/**
 * What each element dispatches: its own events and those of what it renders, which bubble out
 * of it (a view on its own shows the sign-in; the portal shows every view).
 */
const EVENTS: Record<string, string[]> = {
  'customer-portal': [
    ...SESSION,
    'cp-subscription-canceled',
    'cp-subscription-uncanceled',
    'cp-subscription-changed',
    'cp-invoice-downloaded',
    'cp-payment-method-updated',
    'cp-seat-assign',
    'cp-seat-changed',
    'cp-key-rotated',
    'cp-navigate',
  ],
  'customer-portal-sign-in': SESSION,
  'customer-portal-overview': SESSION,
  'customer-portal-subscriptions': [...SESSION, 'cp-subscription-canceled', 'cp-subscription-uncanceled', 'cp-subscription-changed'],
  'customer-portal-orders': [...SESSION, 'cp-invoice-downloaded'],
  'customer-portal-benefits': [...SESSION, 'cp-key-rotated'],
  'customer-portal-seats': [...SESSION, 'cp-seat-assign', 'cp-seat-changed'],
  'customer-portal-usage': SESSION,
  'customer-portal-wallet': SESSION,
  'customer-portal-settings': [...SESSION, 'cp-payment-method-updated'],
  'customer-portal-account': SESSION,
  'customer-portal-payment-methods': [...SESSION, 'cp-payment-method-updated'],
};

/** Every event name the library declares (`static readonly type = 'cp-…'`). */
const declaredEvents = ['src/events.ts', 'src/session-events.ts']
  .flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/static readonly type = '([^']+)'/g)].map((m) => m[1]!))
  .sort();

/** The theme tokens, as documented once in src/styles/tokens.ts. */
const tokens = [...readFileSync('src/styles/tokens.ts', 'utf8').matchAll(/@cssproperty (--cp-[\w-]+)/g)].map((m) => m[1]!).sort();

test('the manifest lists <customer-portal>, the sign-in and every element of the views registry, and no internal element', () => {
  const tags = [...new Set(['customer-portal', 'customer-portal-sign-in', ...elements.map((e) => e.tag)])].sort();
  assert.deepEqual([...byTag.keys()].sort(), tags);
  assert.deepEqual(Object.keys(EVENTS).sort(), tags, 'this test names the events of every element');
});

test('each element lists the events it dispatches, each typed with its event class', () => {
  for (const [tag, events] of Object.entries(EVENTS)) {
    const declaration = element(tag);
    assert.deepEqual(names(declaration.events), [...events].sort(), `events of <${tag}>`);
    for (const event of declaration.events ?? []) assert.match(event.type?.text ?? '', /^[A-Z]\w*Event$/, `type of ${event.name} on <${tag}>`);
  }
});

test('every event the library declares is listed on <customer-portal>, which hears them all', () => {
  assert.ok(declaredEvents.length >= 11);
  assert.deepEqual(names(element('customer-portal').events), declaredEvents);
});

test('each element documents its attributes, parts and the theme tokens', () => {
  for (const tag of byTag.keys()) {
    const declaration = element(tag!);
    for (const attribute of ['org', 'server-url', 'theme']) {
      assert.ok(names(declaration.attributes).includes(attribute), `<${tag}> has no ${attribute} attribute`);
    }
    assert.ok(names(declaration.cssParts).includes('base'), `<${tag}> has no base part`);
    assert.deepEqual(names(declaration.cssProperties), tokens, `CSS custom properties of <${tag}>`);
  }
  assert.ok(names(element('customer-portal').attributes).includes('view'));
  assert.ok(names(element('customer-portal').cssParts).includes('card'), 'the portal exports its views’ parts');
  assert.ok(names(element('customer-portal-subscriptions').cssParts).includes('heading'));
  assert.ok(names(element('customer-portal-payment-methods').members).includes('initial'));
});

test('docs/elements.md documents every element and every event of the manifest', () => {
  const docs = readFileSync('docs/elements.md', 'utf8');
  for (const [tag, declaration] of byTag) {
    const short = tag!.replace(/^customer-portal-/, '');
    assert.ok(docs.includes(`<${tag}>`) || docs.includes(`\`-${short}\``), `docs/elements.md does not name <${tag}>`);
    for (const event of declaration.events ?? []) assert.ok(docs.includes(`\`${event.name}\``), `docs/elements.md does not describe ${event.name}`);
  }
});
