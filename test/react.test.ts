// The React components (`customer-portal/react`) against the custom elements manifest: one
// component per element, an `on…` prop for every event the element dispatches, and the
// lazily loaded views' stand-in classes naming every property React must set as a property.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { eventsByTag, propertiesByTag } from '../src/react/elements.js';
import { elements } from '../src/views/registry.js';

interface Field {
  kind: string;
  name: string;
  privacy?: string;
  static?: boolean;
  attribute?: string;
}
interface Declaration {
  tagName?: string;
  customElement?: boolean;
  events?: Array<{ name: string }>;
  members?: Field[];
}

const manifest = JSON.parse(readFileSync('dist/custom-elements.json', 'utf8')) as { modules: Array<{ declarations?: Declaration[] }> };
const byTag = new Map(
  manifest.modules
    .flatMap((m) => m.declarations ?? [])
    .filter((d) => d.customElement)
    .map((d) => [d.tagName!, d]),
);

/** `cp-subscription-canceled` → `onSubscriptionCanceled`. */
const propName = (event: string) => `on${event.replace(/^cp-/, '').replace(/(^|-)(\w)/g, (_, _dash, c: string) => c.toUpperCase())}`;

test('there is a React component for every element of the manifest', () => {
  assert.deepEqual(Object.keys(eventsByTag).sort(), [...byTag.keys()].sort());
  const source = readFileSync('src/react/index.ts', 'utf8');
  for (const tag of byTag.keys()) assert.match(source, new RegExp(`component\\(\\s*'${tag}',`), `no component for <${tag}>`);
});

test("each component's on… props are the element's events, named after them", () => {
  for (const [tag, declaration] of byTag) {
    const expected = Object.fromEntries((declaration.events ?? []).map((e) => [propName(e.name), e.name]));
    assert.deepEqual({ ...eventsByTag[tag] }, expected, `events of <${tag}>`);
  }
});

test('the lazily loaded views name every property React must set as a property, and only real ones', () => {
  assert.deepEqual(Object.keys(propertiesByTag).sort(), elements.map((e) => e.tag).sort(), 'every lazily loaded element');
  for (const [tag, properties] of Object.entries(propertiesByTag)) {
    const fields = (byTag.get(tag)?.members ?? []).filter((m) => m.kind === 'field' && !m.privacy && !m.static);
    for (const property of properties)
      assert.ok(
        fields.some((f) => f.name === property),
        `<${tag}> has no public property ${property}`,
      );
    // Any other prop becomes an attribute of its own name: right only where the attribute has it.
    for (const field of fields.filter((f) => f.attribute !== f.name)) {
      assert.ok(properties.includes(field.name), `<${tag}>'s ${field.name} must be set as a property (add it in src/react/elements.ts)`);
    }
  }
});

test('docs/react.md names every component and every on… prop', () => {
  const docs = readFileSync('docs/react.md', 'utf8');
  const source = readFileSync('src/react/index.ts', 'utf8');
  for (const [, name] of source.matchAll(/^export const (\w+) = component\(/gm)) assert.ok(docs.includes(`\`${name}\``), `docs/react.md does not name ${name}`);
  for (const prop of new Set(Object.values(eventsByTag).flatMap((events) => Object.keys(events)))) {
    assert.ok(docs.includes(`\`${prop}\``), `docs/react.md does not describe ${prop}`);
  }
});
