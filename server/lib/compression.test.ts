// Compression on the wire: the built widget precompressed (needs `vite build` first, like the
// size test), JSON answers above 1 KB compressed, everything else untouched.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { createTestContext, type TestContext } from '../testing/harness.js';
import { chooseEncoding, heldBodyLength } from './compression.js';

let t: TestContext;
let key: string;
let token: string;

const dist = join(process.cwd(), 'dist');
const chunk = readdirSync(join(dist, 'chunks')).find((f) => /^subscriptions-[\w-]+\.js$/.test(f) || /^views-[\w-]+\.js$/.test(f))!;

before(async () => {
  t = await createTestContext({});
  ({ key } = await t.createOrg('acme'));
  // A large answer: the merchant's list of 20 customers is well above 1 KB.
  for (let i = 0; i < 20; i++) await t.createCustomer(key, { email: `zip${i}@example.com`, name: `Zip Customer ${i}` });
  token = await t.signIn('acme', 'zip0@example.com');
});
after(() => t.close());

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => t.app.request(path, { method, headers });

describe('Accept-Encoding', () => {
  test('br before gzip before nothing; q=0 refuses; * accepts (the same when asked again, as values are remembered)', () => {
    for (const round of [1, 2]) {
      assert.equal(chooseEncoding('gzip, deflate, br, zstd'), 'br', `round ${round}`);
      assert.equal(chooseEncoding('gzip, deflate'), 'gzip', `round ${round}`);
      assert.equal(chooseEncoding('br;q=0, gzip;q=0.5'), 'gzip', `round ${round}`);
      assert.equal(chooseEncoding('*'), 'br', `round ${round}`);
      assert.equal(chooseEncoding('*, br;q=0'), 'gzip', `round ${round}`);
      assert.equal(chooseEncoding('identity'), undefined, `round ${round}`);
      assert.equal(chooseEncoding(undefined), undefined, `round ${round}`);
    }
    // More values than are remembered: each still chosen by what it says.
    for (let i = 0; i < 200; i++) assert.equal(chooseEncoding(`gzip;q=0.${i + 1}, br;q=${i % 2}`), i % 2 ? 'br' : 'gzip');
    assert.equal(chooseEncoding('gzip, deflate, br, zstd'), 'br');
  });
});

describe('the built widget, precompressed', () => {
  test('the build wrote .br and .gz beside every script it serves, holding the same bytes', () => {
    for (const file of ['customer-portal.js', `chunks/${chunk}`, 'hosted/payment-method.js']) {
      const raw = readFileSync(join(dist, file));
      assert.ok(existsSync(join(dist, `${file}.br`)) && existsSync(join(dist, `${file}.gz`)), `${file} has no .br/.gz`);
      assert.deepEqual(brotliDecompressSync(readFileSync(join(dist, `${file}.br`))), raw, `${file}.br`);
      assert.deepEqual(gunzipSync(readFileSync(join(dist, `${file}.gz`))), raw, `${file}.gz`);
    }
  });

  for (const [path, cache] of [
    ['/customer-portal.js', 'public, max-age=300'],
    [`/chunks/${chunk}`, 'public, max-age=31536000, immutable'],
    ['/hosted/assets/payment-method.js', 'no-cache'],
  ] as const) {
    test(`${path.replace(chunk, '<chunk>')}: br to a browser that takes it, gzip to one that takes only gzip, as it is to one that takes neither`, async () => {
      const file = path.startsWith('/hosted/assets/') ? join(dist, 'hosted', path.slice('/hosted/assets/'.length)) : join(dist, path);
      const raw = readFileSync(file);
      const br = await get(path, { 'accept-encoding': 'gzip, deflate, br, zstd' });
      assert.equal(br.status, 200);
      assert.equal(br.headers.get('content-encoding'), 'br');
      assert.equal(br.headers.get('vary'), 'Accept-Encoding');
      assert.equal(br.headers.get('content-type'), 'text/javascript; charset=utf-8');
      assert.equal(br.headers.get('cache-control'), cache, 'caching unchanged');
      const brBody = Buffer.from(await br.arrayBuffer());
      assert.equal(Number(br.headers.get('content-length')), brBody.length, 'Content-Length is what is sent');
      assert.ok(brBody.length < raw.length / 2, `${brBody.length} bytes of brotli for ${raw.length}`);
      assert.deepEqual(brotliDecompressSync(brBody), raw);

      const gz = await get(path, { 'accept-encoding': 'gzip' });
      assert.equal(gz.headers.get('content-encoding'), 'gzip');
      const gzBody = Buffer.from(await gz.arrayBuffer());
      assert.equal(Number(gz.headers.get('content-length')), gzBody.length);
      assert.deepEqual(gunzipSync(gzBody), raw);

      const plain = await get(path);
      assert.equal(plain.headers.get('content-encoding'), null);
      assert.equal(plain.headers.get('vary'), 'Accept-Encoding');
      const plainBody = Buffer.from(await plain.arrayBuffer());
      assert.equal(Number(plain.headers.get('content-length')), raw.length);
      assert.deepEqual(plainBody, raw);
    });
  }

  test('HEAD answers with the headers of the GET and no body', async () => {
    const head = await get('/customer-portal.js', { 'accept-encoding': 'br' }, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-encoding'), 'br');
    assert.equal(Number(head.headers.get('content-length')), readFileSync(join(dist, 'customer-portal.js.br')).length);
    assert.equal((await head.arrayBuffer()).byteLength, 0);
  });

  test('a path outside dist/ is still a 404, with or without an encoding', async () => {
    assert.equal((await get('/chunks/..%2F..%2Fpackage.json', { 'accept-encoding': 'br' })).status, 404);
    assert.equal((await get('/chunks/nothing-here.js', { 'accept-encoding': 'br' })).status, 404);
  });
});

describe('JSON answers', () => {
  test('above 1 KB: compressed for a client that accepts it, with Vary, and the same JSON inside', async () => {
    const plain = await get('/v1/customers?limit=20', { authorization: `Bearer ${key}` });
    const text = await plain.text();
    assert.ok(text.length > 1024, `the answer is ${text.length} bytes`);
    assert.equal(plain.headers.get('content-encoding'), null, 'no Accept-Encoding: as it is');

    const br = await get('/v1/customers?limit=20', { authorization: `Bearer ${key}`, 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(br.status, 200);
    assert.equal(br.headers.get('content-encoding'), 'br');
    assert.match(br.headers.get('vary') ?? '', /Accept-Encoding/);
    assert.equal(br.headers.get('content-type'), plain.headers.get('content-type'));
    const body = Buffer.from(await br.arrayBuffer());
    assert.equal(Number(br.headers.get('content-length')), body.length);
    assert.ok(body.length < text.length / 2);
    assert.deepEqual(JSON.parse(brotliDecompressSync(body).toString('utf8')), JSON.parse(text));

    const gz = await get('/v1/customers?limit=20', { authorization: `Bearer ${key}`, 'accept-encoding': 'gzip' });
    assert.equal(gz.headers.get('content-encoding'), 'gzip');
    assert.deepEqual(JSON.parse(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString('utf8')), JSON.parse(text));
  });

  test('small answers and errors go as they are', async () => {
    const small = await get('/portal/v1/organizations/acme', { 'accept-encoding': 'br' });
    assert.equal(small.status, 200);
    assert.ok((await small.clone().text()).length < 1024);
    assert.equal(small.headers.get('content-encoding'), null);
    assert.deepEqual(await small.json(), (await t.request('GET', '/portal/v1/organizations/acme')).body);

    const me = await get('/portal/v1/me', { authorization: `Bearer ${token}`, 'accept-encoding': 'br' });
    assert.equal(me.status, 200);
    assert.equal(me.headers.get('content-encoding'), null, `/me is ${(await me.clone().text()).length} bytes`);
    const error = await get('/portal/v1/me', { 'accept-encoding': 'br' });
    assert.equal(error.status, 401);
    assert.equal(error.headers.get('content-encoding'), null);
    assert.equal(((await error.json()) as { error: { code: string } }).error.code, 'unauthenticated');
  });

  test('HEAD of a large answer is not compressed and has no body', async () => {
    const head = await get('/v1/customers?limit=20', { authorization: `Bearer ${key}`, 'accept-encoding': 'br' }, 'HEAD');
    assert.equal(head.headers.get('content-encoding'), null);
    assert.equal((await head.arrayBuffer()).byteLength, 0);
  });
});

describe('through @hono/node-server, as the server runs', () => {
  let server: ServerType;
  let base: string;
  before(async () => {
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("the adapter's Response still holds its body where heldBodyLength reads it (else every browser answer is read twice)", () => {
    assert.equal(heldBodyLength(new Response('{"é":1}')), 8);
    assert.equal(heldBodyLength(new Response(new Uint8Array(5))), 5);
    assert.equal(heldBodyLength(new Response(null, { status: 204 })), 0);
  });

  test('on the wire: a small answer goes as it is with its length, a large one compressed', async () => {
    // node:http, which hands over the bytes as they came (fetch would decompress them).
    const wire = (path: string, headers: Record<string, string>) =>
      new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        http
          .get(base + path, { headers: { ...headers, 'accept-encoding': 'gzip, deflate, br' } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          })
          .on('error', reject);
      });
    const me = await wire('/portal/v1/me', { authorization: `Bearer ${token}` });
    assert.equal(me.status, 200);
    assert.equal(me.headers['content-encoding'], undefined);
    assert.equal(Number(me.headers['content-length']), me.body.length);
    assert.deepEqual(JSON.parse(me.body.toString('utf8')), (await t.request('GET', '/portal/v1/me', { token })).body);
    const list = await wire('/v1/customers?limit=20', { authorization: `Bearer ${key}` });
    assert.equal(list.headers['content-encoding'], 'br');
    assert.match(String(list.headers.vary), /Accept-Encoding/);
    assert.equal(Number(list.headers['content-length']), list.body.length);
    assert.deepEqual(JSON.parse(brotliDecompressSync(list.body).toString('utf8')), (await t.request('GET', '/v1/customers?limit=20', { token: key })).body);
  });
});
