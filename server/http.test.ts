// isSameOrigin remembers the origin of the addresses requests came to (by scheme and host): it
// must answer as parsing each request's whole URL would.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Context } from 'hono';
import { isSameOrigin } from './http.js';

const at = (url: string) => ({ req: { url } }) as unknown as Context;

test('a request is same-origin exactly when its URL parses to that origin, asked once or again', () => {
  const urls = [
    'http://portal.example/portal/v1/me',
    'http://Portal.Example:80/portal/v1/me?include=payment_methods',
    'https://portal.example:443/',
    'https://portal.example:8443/portal/v1/orders',
    'http://127.0.0.1:4321/portal/v1/me',
    'http://[::1]:3000/portal/v1/me',
    'http://portal.example',
    'http://user@portal.example/portal/v1/me',
    'http://portal.example\\@evil.example/portal/v1/me',
    'http://portal.example?x=/y',
  ];
  const origins = [
    'http://portal.example',
    'https://portal.example',
    'https://portal.example:8443',
    'http://127.0.0.1:4321',
    'http://[::1]:3000',
    'http://evil.example',
  ];
  for (const round of [1, 2]) {
    for (const url of urls) {
      for (const origin of origins) {
        assert.equal(isSameOrigin(at(url), origin, 'https://public.example'), origin === new URL(url).origin, `round ${round}: ${origin} at ${url}`);
      }
    }
  }
  assert.equal(isSameOrigin(at('http://other.example/x'), 'https://public.example', 'https://public.example/base'), true, 'the public URL');
});
