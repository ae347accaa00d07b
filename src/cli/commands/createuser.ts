import { parseArgs } from 'node:util';
import { cliActor } from '../../access/actor.js';
import { saveUser, type SaveUserInput } from '../../users/save-user.js';
import { UsageError, type Command } from '../command.js';
import { withDatabase } from '../open-database.js';
import { readSecret } from '../read-secret.js';

const usage = `npm run cli -- createuser --email EMAIL --role ROLE [--password P] [--name NAME]
  ROLE is admin, data_scientist, content_manager or auditor.
  Without --password the password is prompted for (twice) on a terminal, or read from the first line of stdin.
  An existing user with that email gets the new role (and password, when one is given), and is
  reactivated if it was inactive. Refused when it would leave no active admin.`;

export const createUserCommand: Command = {
  name: 'createuser',
  summary: 'Create a user, or change the role/password of an existing one (reactivating it).',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        email: { type: 'string' },
        role: { type: 'string' },
        password: { type: 'string' },
        name: { type: 'string' },
      },
      strict: true,
    });
    const { email, role, name } = values;
    if (!email || !role) throw new UsageError('--email and --role are required.');
    let password = values.password;
    if (password === undefined) {
      password = await readSecret('Password: ');
      if (process.stdin.isTTY && (await readSecret('Password (again): ')) !== password) {
        throw new UsageError('The two passwords differ.');
      }
    }
    return withDatabase(async () => {
      const { user, created, reactivated } = await saveUser(cliActor(), {
        email,
        role: role as SaveUserInput['role'],
        password,
        name,
        active: true,
      });
      console.log(
        `${created ? 'Created' : 'Updated'} ${user.email} (${user.role}).${reactivated ? ' The account was inactive and is active again.' : ''}`,
      );
      return 0;
    });
  },
};
