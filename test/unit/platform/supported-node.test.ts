import assert from 'node:assert/strict';
import { unsupportedNodeMessage } from '../../../src/platform/supported-node.js';

describe('supported Node.js versions', () => {
  it('accepts 20.19 and later, including later majors', () => {
    for (const version of ['20.19.0', '20.20.2', '22.12.0', '24.1.0'])
      assert.equal(unsupportedNodeMessage(version), null, version);
  });

  it('refuses older versions with what to install', () => {
    for (const version of ['20.18.3', '18.20.0', '16.0.0']) {
      const message = unsupportedNodeMessage(version);
      assert.match(message ?? '', /needs Node\.js 20\.19 or newer/, version);
      assert.ok(message?.includes(version), version);
    }
  });
});
