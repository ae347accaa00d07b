import assert from 'node:assert/strict';
import { ConfigError, earlyLogLevel, loadConfig } from '../../../src/platform/config.js';

describe('config: loadConfig()', () => {
  it('uses safe defaults when nothing is set', () => {
    const config = loadConfig({});
    assert.equal(config.PORT, 3000);
    assert.equal(config.HOST, '127.0.0.1');
    assert.equal(config.DATABASE_URL, undefined);
    assert.equal(config.SEED_DEMO_DATA, true);
  });

  it('names every wrong variable and what it expects, all at once', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x@y/z', SESSION_SECRET: 'short', LOG_LEVEL: 'loud' });
      assert.fail('expected a ConfigError');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      const text = error.message;
      for (const name of ['PORT=', 'DATABASE_URL=', 'SESSION_SECRET=', 'LOG_LEVEL='])
        assert.match(text, new RegExp(name));
      assert.match(text, /postgres:\/\//);
      assert.match(text, /at least 32 characters/);
      assert.equal(error.problems.length, 4);
    }
  });

  it('accepts a postgres URL and boolean flags', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
      TRUST_PROXY: 'true',
      SEED_DEMO_DATA: '0',
    });
    assert.equal(config.TRUST_PROXY, true);
    assert.equal(config.SEED_DEMO_DATA, false);
  });

  it('limits ONNX uploads to MAX_MODEL_UPLOAD_MB, 50 by default, 1 to 1024', () => {
    assert.equal(loadConfig({}).MAX_MODEL_UPLOAD_MB, 50);
    assert.equal(loadConfig({ MAX_MODEL_UPLOAD_MB: '200' }).MAX_MODEL_UPLOAD_MB, 200);
    assert.throws(() => loadConfig({ MAX_MODEL_UPLOAD_MB: '0' }), /MAX_MODEL_UPLOAD_MB="0"/);
  });

  it('treats an empty variable as unset', () => {
    assert.equal(loadConfig({ PORT: '' }).PORT, 3000);
  });

  it('never echoes a bad secret, nor the password of a bad DATABASE_URL', () => {
    try {
      loadConfig({ SESSION_SECRET: 'short-secret', DATABASE_URL: 'mysql://user:db-password@host/db' });
      assert.fail('expected a ConfigError');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /SESSION_SECRET=\(12 characters, not shown\): must be at least 32 characters/);
      assert.match(error.message, /mysql:\/\/user:\*\*\*@host\/db/);
      for (const secret of ['short-secret', 'db-password']) assert.ok(!error.message.includes(secret), secret);
    }
  });

  it('takes a METRICS_TOKEN of at least 32 printable characters without spaces, and never echoes a bad one', () => {
    assert.equal(loadConfig({}).METRICS_TOKEN, undefined);
    assert.equal(loadConfig({ METRICS_TOKEN: 'a'.repeat(32) }).METRICS_TOKEN, 'a'.repeat(32));
    assert.throws(
      () => loadConfig({ METRICS_TOKEN: 'short-token' }),
      (error: Error) => {
        assert.match(error.message, /METRICS_TOKEN=\(11 characters, not shown\): must be at least 32 characters/);
        assert.doesNotMatch(error.message, /short-token/);
        return true;
      },
    );
    assert.throws(() => loadConfig({ METRICS_TOKEN: `${'a'.repeat(32)} b` }), /printable ASCII without spaces/);
  });

  it('takes the early log level from LOG_LEVEL when valid, else info', () => {
    assert.equal(earlyLogLevel({ LOG_LEVEL: 'debug' }), 'debug');
    assert.equal(earlyLogLevel({ LOG_LEVEL: 'loud' }), 'info');
    assert.equal(earlyLogLevel({}), 'info');
  });
});
