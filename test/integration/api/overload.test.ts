import assert from 'node:assert/strict';
import http from 'node:http';
import { systemActor } from '../../../src/access/actor.js';
import { createApiKey } from '../../../src/auth/api-keys/create-api-key.js';
import { createTestUser, startConsoleServer, type RunningConsole } from '../../support/console-server.js';

/** A request that sends its headers and then nothing: in progress until destroyed. */
function hangingRequest(url: string, key: string): Promise<http.ClientRequest> {
  return new Promise((resolve) => {
    const request = http.request(url, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': '1000', authorization: `Bearer ${key}` },
    });
    request.on('error', () => undefined);
    request.flushHeaders();
    resolve(request);
  });
}

describe('REST API under overload (real HTTP)', () => {
  let server: RunningConsole;
  let key: string;
  before(async () => {
    server = await startConsoleServer({ API_MAX_IN_FLIGHT: '2' });
    const user = await createTestUser('data_scientist');
    key = (await createApiKey(systemActor, { ownerEmail: user.email, name: 'overload', scopes: ['predict'] })).key;
  });
  after(async () => server?.stop());

  it('answers 503 with Retry-After at once past API_MAX_IN_FLIGHT requests in progress, and serves again when they end', async () => {
    const url = `${server.baseUrl}/api/v1/models/any/predict`;
    // Two keyed requests whose bodies never come: in progress, waiting for them.
    const hanging = [await hangingRequest(url, key), await hangingRequest(url, key)];
    const send = () => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    // Until both are counted (their headers have arrived), a request gets as far as authentication (401).
    let refused = await send();
    for (let i = 0; i < 40 && refused.status !== 503; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      refused = await send();
    }
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '1');
    const problem = (await refused.json()) as { code: string; detail: string };
    assert.equal(problem.code, 'overloaded');
    for (const request of hanging) request.destroy();
    let served = await send();
    for (let i = 0; i < 40 && served.status === 503; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      served = await send();
    }
    assert.equal(served.status, 401, 'below the limit again: on to authentication');
  });
});
