import assert from 'node:assert/strict';
import { COMMANDS } from '../../../src/cli/run-cli.js';

describe('the CLI command table', () => {
  it('loads, under each name, the command of that name (commands are loaded only when run)', async () => {
    for (const entry of COMMANDS) assert.equal((await entry.load()).name, entry.name);
    assert.equal(new Set(COMMANDS.map((c) => c.name)).size, COMMANDS.length, 'no name twice');
  });
});
