import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { cliActor } from '../../access/actor.js';
import { verifyAndRecord } from '../../audit/verify-and-record.js';
import { verifyArchiveFile } from '../../audit/verify-archive-file.js';
import { parseAnchor } from '../../audit/verify-chain.js';
import { UsageError, type Command } from '../command.js';
import { withDatabase } from '../open-database.js';

const usage = `npm run cli -- verify-audit [--anchor SEQ:HASH ...] [--file ARCHIVE.jsonl]
  Walks the whole audit chain, recomputing every hash, and reports the first missing, changed,
  inserted or reordered event. Prints the head (SEQ:HASH): keep it outside the database and pass it
  as --anchor next time to prove nothing up to it was rewritten. Exit 0: intact; 1: broken.
  With --file, verifies an archive file (from archive-audit or a JSON-lines export) instead, offline.`;

export const verifyAuditCommand: Command = {
  name: 'verify-audit',
  summary: 'Verify the audit log hash chain (tamper check).',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { anchor: { type: 'string', multiple: true }, file: { type: 'string' } },
      strict: true,
    });
    let anchors;
    try {
      anchors = (values.anchor ?? []).map(parseAnchor);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (values.file) {
      if (!fs.existsSync(values.file)) throw new UsageError(`${values.file} does not exist.`);
      const report = await verifyArchiveFile(values.file, anchors);
      if (report.ok) {
        console.log(
          `Archive intact: events ${report.from.seq + 1} to ${report.head.seq} (${report.checked}) and ${report.changeSets ?? 0} change-set(s) verified${report.from.seq > 0 ? `, continuing from ${report.from.seq}:${report.from.hash}` : ' from the start of the log'}.`,
        );
        return 0;
      }
      console.error(`Archive BROKEN at event ${report.firstBad}: ${report.problem}.`);
      return 1;
    }
    return withDatabase(async () => {
      const report = await verifyAndRecord(cliActor(), anchors);
      if (report.ok) {
        console.log(
          `Audit chain intact: ${report.checked} events verified${report.from ? ` (after the archive boundary ${report.from.seq})` : ''}${anchors.length ? `, ${anchors.length} anchor(s) matched` : ''}.`,
        );
        console.log(`Head: ${report.head.seq}:${report.head.hash}`);
        console.log(`Change-sets checked against their digests: ${report.changeSets ?? 0}.`);
        return 0;
      }
      console.error(`Audit chain BROKEN at event ${report.firstBad}: ${report.problem}.`);
      console.error(`Events 1 to ${report.checked} are intact (last good ${report.head.seq}:${report.head.hash}).`);
      return 1;
    });
  },
};
