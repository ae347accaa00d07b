// `npm run bench` (part): audited writes per second with 1 and 16 concurrent writers, each write a
// record relabel committed with its hash-chained audit event in one transaction. Baseline in the same
// run: the same relabels without the audit event (in a change-set of their own, as the database requires
// of every change to records, left unclosed: no digest). Afterwards the chain must verify, gap-free.
import { DataRecord, Dataset } from '../../models/index.js';
import { systemActor } from '../../src/access/actor.js';
import { withAudit } from '../../src/audit/with-audit.js';
import { openChangeSet } from '../../src/records/history/open-change-set.js';
import { verifyAuditChain } from '../../src/audit/verify-chain.js';
import { benchDatabase } from './bench-database.js';
import { machine } from './machine.js';

const WRITES = Number(process.env.BENCH_AUDIT_WRITES ?? 4_000);
const RECORDS = 1_000;

async function run(
  writers: number,
  write: (i: number) => Promise<void>,
): Promise<{ writers: number; writes: number; seconds: number; perSecond: number }> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      for (let i = next++; i < WRITES; i = next++) await write(i);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { writers, writes: WRITES, seconds: Number(seconds.toFixed(2)), perSecond: Math.round(WRITES / seconds) };
}

const db = await benchDatabase(20);
try {
  const dataset = await Dataset.create({
    name: 'bench',
    task: 'text-classification',
    labels: ['ham', 'spam'],
    featureSchema: [],
    description: null,
    source: null,
    license: null,
  });
  const records = await DataRecord.bulkCreate(
    Array.from({ length: RECORDS }, (_, i) => ({
      datasetId: dataset.id,
      text: `record ${i}`,
      label: 'ham',
      split: 'train' as const,
    })),
  );
  const ids = records.map((r) => r.id);
  const label = (i: number) => (i % 2 === 0 ? 'spam' : 'ham');

  const plain = (i: number) =>
    db.sequelize.transaction(async (transaction) => {
      await openChangeSet(transaction, systemActor, 'records.update');
      await DataRecord.update({ label: label(i) }, { where: { id: ids[i % RECORDS]! }, transaction });
    });
  const audited = (i: number) =>
    withAudit({ type: 'system' }, { action: 'records.update', resource: 'records' }, async (transaction, audit) => {
      const id = ids[i % RECORDS]!;
      await audit.trackRecordChanges();
      await DataRecord.update({ label: label(i) }, { where: { id }, transaction });
      audit.note({ recordIds: [id], before: { label: label(i + 1) }, after: { label: label(i) } });
    });

  const baseline = { one: await run(1, plain), sixteen: await run(16, plain) };
  const ours = { one: await run(1, audited), sixteen: await run(16, audited) };
  const chain = await verifyAuditChain();
  console.log(
    JSON.stringify(
      {
        benchmark: 'audited-writes',
        when: new Date().toISOString(),
        machine: machine(),
        write:
          'UPDATE one record label in a transaction with its captured before/after row (+ the change-set closed with its digest and its audit event, hash-chained under an advisory lock)',
        audited: ours,
        baselineWithoutAudit: baseline,
        auditedShareOfBaseline: {
          one: Number((ours.one.perSecond / baseline.one.perSecond).toFixed(2)),
          sixteen: Number((ours.sixteen.perSecond / baseline.sixteen.perSecond).toFixed(2)),
        },
        chain: { ok: chain.ok, events: chain.checked, gapFree: chain.ok && chain.checked === 2 * WRITES },
      },
      null,
      2,
    ),
  );
} finally {
  await db.close();
}
