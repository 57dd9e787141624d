// The app's router remembers recent matches: each request still gets its own path's handlers and
// parameters, and what it remembers is bounded whatever paths are sent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Hono } from 'hono';
import { TrieRouter } from 'hono/router/trie-router';
import { MATCHES_KEPT, RememberingRouter } from './router.js';

test('a remembered match answers each path with its own parameters and handlers', async () => {
  const app = new Hono({ router: new RememberingRouter() });
  const seen: string[] = [];
  app.use('/items/*', async (c, next) => {
    seen.push(c.req.path);
    await next();
  });
  app.get('/items/:id', (c) => c.json({ id: c.req.param('id') }));
  app.get('/items/special', (c) => c.json({ special: true }));
  app.post('/items/:id', (c) => c.json({ posted: c.req.param('id') }));
  for (const round of [1, 2]) {
    assert.deepEqual(await (await app.request('/items/a')).json(), { id: 'a' }, `round ${round}`);
    assert.deepEqual(await (await app.request('/items/b%20c')).json(), { id: 'b c' }, `round ${round}`);
    assert.deepEqual(await (await app.request('/items/a', { method: 'POST' })).json(), { posted: 'a' }, `round ${round}`);
    assert.equal((await app.request('/nowhere')).status, 404, `round ${round}`);
  }
  assert.deepEqual(seen, ['/items/a', '/items/b c', '/items/a', '/items/a', '/items/b c', '/items/a']);
});

test('it remembers at most MATCHES_KEPT matches, and no path longer than 256 characters', () => {
  const router = new RememberingRouter<string>(new TrieRouter<string>());
  const plain = new TrieRouter<string>();
  for (const r of [router, plain]) r.add('GET', '/items/:id', 'item');
  for (let i = 0; i < MATCHES_KEPT + 50; i++) router.match('GET', `/items/${i}`);
  assert.equal(router.size, MATCHES_KEPT);
  // The oldest went first; a recent one is still answered right.
  const recent = `/items/${MATCHES_KEPT + 49}`;
  assert.deepEqual(router.match('GET', recent), plain.match('GET', recent));
  assert.deepEqual(router.match('GET', '/items/0'), plain.match('GET', '/items/0'));
  const long = `/items/${'x'.repeat(300)}`;
  assert.equal(router.match('GET', long)[0].length, 1);
  assert.equal(router.size, MATCHES_KEPT);
});
