import fs from 'node:fs';
import readline from 'node:readline';
import { ChangeSetDigest, changeSetProblem, isChangeSetRowLine } from '../records/history/change-set-digest.js';
import { GENESIS_HASH, type ChangeSetReference } from './hash-chain.js';
import { ChainWalker, changeSetKey, type ChainAnchor, type ChainedRow, type ChainReport } from './verify-chain.js';

/**
 * Verifies an archive written by `archive-audit` (or a JSON-lines export of a contiguous range) on
 * its own: every event's hash and link in order, and each change-set's rows (the lines after its
 * event) against the digest in the event. A file starting at event 1 is checked from the
 * genesis hash; a later start is checked from its first event's previous hash, which should equal
 * the previous archive's boundary (pass it as an anchor to make sure).
 */
export async function verifyArchiveFile(
  file: string,
  anchors: readonly ChainAnchor[] = [],
): Promise<ChainReport & { from: ChainAnchor }> {
  const lines = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let walker: ChainWalker | undefined;
  let from: ChainAnchor = { seq: 0, hash: GENESIS_HASH };
  const anchorMap = new Map(anchors.map((a) => [a.seq, a.hash]));
  let lineNumber = 0;
  /** The last event's change-set, whose rows follow it in the file. */
  let open: { seq: number; reference: ChangeSetReference; digest: ChangeSetDigest } | undefined;
  let changeSets = 0;
  const closeOpen = (): string | undefined => {
    if (!open) return undefined;
    const { seq, reference, digest } = open;
    open = undefined;
    changeSets += 1;
    return changeSetProblem(seq, reference, { lines: digest.lines, digest: digest.hex() });
  };
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return {
        ...(walker ?? new ChainWalker(from)).broken(`line ${lineNumber} is not an exported audit event (invalid JSON)`),
        from,
      };
    }
    if (isChangeSetRowLine(parsed)) {
      if (!walker || open?.reference.id !== parsed.changeSetId)
        return {
          ...(walker ?? new ChainWalker(from)).broken(
            `line ${lineNumber} is a row of change-set ${parsed.changeSetId}, which the event before it does not record`,
          ),
          from,
        };
      open.digest.addLine(parsed.row);
      continue;
    }
    const changed = closeOpen();
    if (changed) return { ...walker!.broken(changed, walker!.last.seq), from, changeSets };
    const row = toRow(parsed);
    if (!walker) {
      from = row.seq === 1 ? { seq: 0, hash: GENESIS_HASH } : { seq: row.seq - 1, hash: row.prevHash };
      const boundary = anchorMap.get(from.seq);
      if (boundary !== undefined && boundary !== from.hash)
        return {
          ...new ChainWalker(from).broken(`the file does not continue from the anchor for event ${from.seq}`),
          from,
        };
      walker = new ChainWalker(from, anchorMap);
    }
    const problem = walker.step(row);
    if (problem) return { ...walker.broken(problem), from, changeSets };
    if (row.changeSet) open = { seq: row.seq, reference: row.changeSet, digest: new ChangeSetDigest() };
  }
  if (!walker) return { ok: false, checked: 0, head: from, firstBad: 1, problem: 'the file holds no events', from };
  const changed = closeOpen();
  if (changed) return { ...walker.broken(changed, walker.last.seq), from, changeSets };
  return { ok: true, checked: walker.checked, head: walker.last, from, changeSets };
}

function toRow(event: Record<string, unknown>): ChainedRow {
  const text = (key: string) => (event[key] === null || event[key] === undefined ? null : String(event[key]));
  return {
    seq: Number(event.seq),
    at: new Date(String(event.at)).toISOString(),
    actorType: String(event.actorType),
    actorId: text('actorId'),
    actorLabel: String(event.actorLabel),
    actorRole: text('actorRole'),
    action: String(event.action),
    resource: String(event.resource),
    recordIds: (event.recordIds as string[] | undefined) ?? [],
    selection: event.selection ?? null,
    before: event.before ?? null,
    after: event.after ?? null,
    ip: text('ip'),
    userAgent: text('userAgent'),
    requestId: text('requestId'),
    outcome: String(event.outcome),
    reason: text('reason'),
    prevHash: String(event.prevHash),
    hash: String(event.hash),
    ...changeSetKey(event.changeSet),
  };
}
