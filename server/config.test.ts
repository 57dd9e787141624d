import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

const base = { SECRET: 'x'.repeat(40), DATA_DIR: '/tmp/cp-config-test' };

test('defaults make a working development configuration', () => {
  const config = loadConfig(base);
  assert.equal(config.port, 3000);
  assert.equal(config.publicUrl, 'http://localhost:3000');
  assert.equal(config.production, false);
  assert.equal(config.databaseUrl, undefined);
});

test('a bad value stops start-up with a message naming the variable and what it expects', () => {
  assert.throws(
    () => loadConfig({ ...base, PORT: 'eighty' }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /PORT: expected a port number \(got "eighty"\)/);
      return true;
    },
  );
  assert.throws(() => loadConfig({ ...base, DATABASE_URL: 'mysql://x' }), /DATABASE_URL: expected a postgres:\/\/ connection URL/);
  assert.throws(() => loadConfig({ ...base, SMTP_URL: 'http://mail' }), /SMTP_URL: expected an smtp:\/\/ or smtps:\/\/ URL/);
  assert.throws(() => loadConfig({ ...base, PUBLIC_URL: 'portal.example.com' }), /PUBLIC_URL: expected an http\(s\):\/\/ URL/);
  assert.throws(() => loadConfig({ ...base, TRUST_PROXY: 'maybe' }), /TRUST_PROXY: expected true or false/);
});

test('secrets in a bad value are not echoed', () => {
  assert.throws(
    () => loadConfig({ ...base, SECRET: 'short-secret' }),
    (error: unknown) => {
      assert.match(String((error as Error).message), /SECRET: expected at least 32 characters/);
      assert.ok(!String((error as Error).message).includes('short-secret'));
      return true;
    },
  );
});

test('production needs an explicit SECRET', () => {
  assert.throws(() => loadConfig({ DATA_DIR: '/tmp/cp-config-test', NODE_ENV: 'production' }), /SECRET: required in production/);
  const config = loadConfig({ ...base, NODE_ENV: 'production', PUBLIC_URL: 'https://billing.example.com/' });
  assert.equal(config.production, true);
  assert.equal(config.publicUrl, 'https://billing.example.com');
});
