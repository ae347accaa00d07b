import { parseArgs } from 'node:util';
import { cliActor } from '../../access/actor.js';
import { createApiKey } from '../../auth/api-keys/create-api-key.js';
import { revokeApiKey } from '../../auth/api-keys/revoke-api-key.js';
import { UsageError, type Command } from '../command.js';
import { withDatabase } from '../open-database.js';

const createUsage = `npm run cli -- create-api-key --owner EMAIL --name NAME --scopes a,b [--rate-limit N] [--expires DATE]
  Scopes: predict, records:read, records:write, models:write, jobs:write (the owner's role must allow each).
  --rate-limit: requests per minute (default: API_KEY_RATE_LIMIT). --expires: e.g. 2027-06-30.
  Prints the key once, on stdout (only its hash is stored); the prefix (mdk_…) names it afterwards.`;

export const createApiKeyCommand: Command = {
  name: 'create-api-key',
  summary: 'Issue an API key for a user (printed once).',
  usage: createUsage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        owner: { type: 'string' },
        name: { type: 'string' },
        scopes: { type: 'string' },
        'rate-limit': { type: 'string' },
        expires: { type: 'string' },
      },
      strict: true,
    });
    if (!values.owner || !values.name || !values.scopes)
      throw new UsageError('--owner, --name and --scopes are required.');
    return withDatabase(async () => {
      const { apiKey, key } = await createApiKey(cliActor(), {
        ownerEmail: values.owner!,
        name: values.name!,
        scopes: values
          .scopes!.split(',')
          .map((s) => s.trim())
          .filter(Boolean) as never,
        rateLimit: values['rate-limit'] === undefined ? null : values['rate-limit'],
        expiresAt: values.expires === undefined ? null : values.expires,
      });
      console.error(
        `Issued API key ${apiKey.prefix} for ${values.owner} (scopes: ${apiKey.scopes.join(', ')}). It is shown only now:`,
      );
      console.log(key);
      return 0;
    });
  },
};

export const revokeApiKeyCommand: Command = {
  name: 'revoke-api-key',
  summary: 'Revoke an API key by its prefix (mdk_…).',
  usage: 'npm run cli -- revoke-api-key PREFIX\n  Every web process refuses the key within milliseconds.',
  async run(argv) {
    const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true });
    if (positionals.length !== 1) throw new UsageError("Give the key's prefix, e.g. mdk_ab12cd34.");
    return withDatabase(async () => {
      const apiKey = await revokeApiKey(cliActor(), positionals[0]!);
      console.log(`API key ${apiKey.prefix} is revoked (since ${apiKey.revokedAt!.toISOString()}).`);
      return 0;
    });
  },
};
