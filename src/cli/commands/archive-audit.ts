import fs from 'node:fs';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { cliActor } from '../../access/actor.js';
import { archiveAuditEvents } from '../../audit/archive-audit.js';
import { UsageError, type Command } from '../command.js';
import { withDatabase } from '../open-database.js';

const usage = `npm run cli -- archive-audit --through SEQ --out FILE.jsonl
  Writes the oldest audit events up to and including SEQ to FILE (JSON lines, hashes included; the
  file verifies on its own with verify-audit --file) and records the boundary, so verification of
  the database can start after it once a DBA has removed the archived rows (docs/audit-log.md, "Retention").
  The rows are not deleted by this command.`;

export const archiveAuditCommand: Command = {
  name: 'archive-audit',
  summary: 'Archive the oldest audit events to a file, recording the boundary hash.',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { through: { type: 'string' }, out: { type: 'string' } },
      strict: true,
    });
    if (!values.through || !values.out) throw new UsageError('--through and --out are required.');
    if (fs.existsSync(values.out))
      throw new UsageError(`${values.out} exists already: choose a new file name (archives are never overwritten).`);
    return withDatabase(async () => {
      const out = fs.createWriteStream(values.out!, { flags: 'wx', mode: 0o600 });
      try {
        const result = await archiveAuditEvents(cliActor(), Number(values.through), out);
        out.end();
        await finished(out);
        console.log(
          `Archived events ${result.firstSeq} to ${result.boundary.seq} (${result.events}) into ${values.out}, sha256 ${result.fileSha256}.`,
        );
        console.log(`Boundary: ${result.boundary.seq}:${result.boundary.hash}`);
        return 0;
      } catch (error) {
        out.destroy();
        fs.rmSync(values.out!, { force: true });
        throw error;
      }
    });
  },
};
