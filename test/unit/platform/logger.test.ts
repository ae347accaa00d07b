import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/platform/logger.js';
import { runWithRequestContext } from '../../../src/platform/request-context.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  let text = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { destination, lines, text: () => text };
}

describe('logger', () => {
  it('puts the request id on every line logged during a request, by any module or child logger', () => {
    const { destination, lines } = capture();
    const log = createLogger({ level: 'info', destination });
    runWithRequestContext({ requestId: 'req-1' }, () => {
      log.info('from a module');
      log.child({ component: 'x' }).warn({ detail: 1 }, 'from a child');
    });
    log.info('outside any request');
    assert.deepEqual(
      lines.map((l) => l.requestId),
      ['req-1', 'req-1', undefined],
    );
  });

  it('redacts passwords, cookies, authorization, session ids, tokens and keys wherever they are logged', () => {
    const { destination, text } = capture();
    const log = createLogger({ level: 'info', destination });
    log.info(
      {
        password: 'pw-top',
        user: { email: 'a@example.com', password: 'pw-nested', passwordHash: '$argon2id$hash' },
        req: {
          headers: {
            cookie: 'modeldesk.sid=s%3Asid-value',
            authorization: 'Bearer bearer-value',
            'x-xsrf-token': 'xsrf-value',
            'x-api-key': 'api-key-value',
          },
        },
        headers: { authorization: 'Basic basic-value' },
        res: { headers: { 'set-cookie': ['modeldesk.sid=s%3Asid-2'] } },
        sessionId: 'sid-3',
        session: { csrfToken: 'csrf-value', adminUser: { id: 1 } },
        apiKey: 'md_live_key-value',
        config: {
          SESSION_SECRET: 'session-secret-value',
          METRICS_TOKEN: 'metrics-token-value',
          DATABASE_URL: 'postgres://u:db-password@h/db',
        },
      },
      'everything at once',
    );
    const out = text();
    for (const secret of [
      'pw-top',
      'pw-nested',
      '$argon2id$hash',
      'sid-value',
      'bearer-value',
      'xsrf-value',
      'api-key-value',
      'basic-value',
      'sid-2',
      'sid-3',
      'csrf-value',
      'key-value',
      'session-secret-value',
      'metrics-token-value',
      'db-password',
    ]) {
      assert.ok(!out.includes(secret), `the log shows ${secret}: ${out}`);
    }
    assert.match(out, /a@example\.com/, 'other fields are kept');
    assert.match(out, /\[redacted\]/);
  });

  it('writes nothing below its level', () => {
    const { destination, lines } = capture();
    const log = createLogger({ level: 'warn', destination });
    log.info('quiet');
    log.warn('loud');
    assert.deepEqual(
      lines.map((l) => l.msg),
      ['loud'],
    );
  });

  it('logs an error as its kind, message, code, stack and cause, never the objects hanging off it', () => {
    const { destination, lines, text } = capture();
    const log = createLogger({ level: 'info', destination });
    const error = Object.assign(
      new Error('Connection terminated unexpectedly', { cause: new Error('socket hang up') }),
      {
        code: '57P01',
        client: { connectionParameters: { user: 'app', host: 'db' }, secretKey: 731444103, huge: 'x'.repeat(10_000) },
      },
    );
    log.error({ err: error }, 'job queue error');
    const logged = lines[0]!.err as Record<string, unknown>;
    assert.equal(logged.type, 'Error');
    assert.equal(logged.message, 'Connection terminated unexpectedly');
    assert.equal(logged.code, '57P01');
    assert.match(String(logged.stack), /Connection terminated/);
    assert.equal((logged.cause as { message: string }).message, 'socket hang up');
    assert.ok(!text().includes('secretKey') && text().length < 5_000, 'the connection object is left out');
  });
});
