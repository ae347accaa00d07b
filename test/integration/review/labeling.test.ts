import assert from 'node:assert/strict';
import { Op, QueryTypes } from 'sequelize';
import { AuditEvent, DataRecord, sequelizeOf } from '../../../models/index.js';
import { ApiScope } from '../../../models/enums.js';
import { systemActor, type Actor } from '../../../src/access/actor.js';
import { decide } from '../../../src/access/decide.js';
import { Role } from '../../../src/access/roles.js';
import { createApiKey } from '../../../src/auth/api-keys/create-api-key.js';
import { unusableScopes } from '../../../src/auth/api-keys/scopes.js';
import { stopWorker } from '../../../src/jobs/run-worker.js';
import { agreementOf } from '../../../src/review/agreement.js';
import { claimItem } from '../../../src/review/claim-item.js';
import { labelItem } from '../../../src/review/label-item.js';
import { secondReview } from '../../../src/review/second-review.js';
import { skipItem } from '../../../src/review/skip-item.js';
import { undoLabel } from '../../../src/review/undo-label.js';
import { createTestUser, startConsoleServer, type RunningConsole } from '../../support/console-server.js';
import { unique, useTestDatabase } from '../../support/database.js';
import { expireClaims, insertReviewQueue } from '../../support/review-queue.js';
import { createScoredEmails, type ScoredEmails } from '../../support/scored-emails.js';

type Item = { queueId: number; position: number; recordId: number };

const actorOf = (user: { id: number; email: string; role: Role }): Actor => ({ type: 'user', ...user });
const rejects = (code: string) => (error: unknown) => {
  assert.equal((error as { code?: string }).code, code, String(error));
  return true;
};

describe('labeling a review queue: claims, labels, skips, undo, second review and agreement (real Postgres)', () => {
  let scored: ScoredEmails;
  const reviewers: Actor[] = [];
  let scientist: Actor;
  let manager: Actor;

  const items = async (queueId: number) =>
    sequelizeOf().query<Item & { state: string; claimedBy: number | null; label: string | null }>(
      `SELECT queue_id AS "queueId", position, record_id::int AS "recordId", state, claimed_by AS "claimedBy", label
         FROM review_items WHERE queue_id = :queueId ORDER BY position`,
      { replacements: { queueId }, type: QueryTypes.SELECT },
    );
  const labelOf = async (recordId: number) => (await DataRecord.findByPk(recordId))!.label;

  before(async function () {
    this.timeout(120_000);
    await useTestDatabase();
    scored = await createScoredEmails('labeling', 40);
    for (let i = 0; i < 8; i += 1)
      reviewers.push(actorOf(await createTestUser(i % 2 ? 'content_manager' : 'data_scientist')));
    scientist = actorOf(await createTestUser('data_scientist'));
    manager = actorOf(await createTestUser('content_manager'));
  });

  it('never gives two reviewers the same item, even when eight claim at once, three times over', async () => {
    const queue = await insertReviewQueue(scored, scored.recordIds.slice(0, 30));
    const held = new Map<number, number>(); // position → reviewer index
    for (let round = 0; round < 3; round += 1) {
      const works = await Promise.all(reviewers.map((actor) => claimItem(actor, queue.id)));
      works.forEach((work, i) => {
        assert.ok(work.item, `reviewer ${i} got an item in round ${round}`);
        const holder = held.get(work.item.position);
        // A reviewer who asks again gets back the item they hold (a reloaded page), nobody else does.
        assert.ok(holder === undefined || holder === i, `item ${work.item.position} given to ${holder} and ${i}`);
        held.set(work.item.position, i);
      });
    }
    assert.deepEqual(
      [...held.keys()].sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 6, 7, 8],
      'each reviewer holds one item: the first eight in queue order',
    );
    const rows = await items(queue.id);
    assert.equal(rows.filter((r) => r.claimedBy !== null).length, 8);
  });

  it('gives an expired claim to the next reviewer, and then refuses the first reviewer the label (409)', async () => {
    const queue = await insertReviewQueue(scored, scored.recordIds.slice(0, 3));
    const [first, second] = reviewers as [Actor, Actor];
    const mine = await claimItem(first, queue.id);
    assert.equal(mine.item?.position, 1);
    assert.equal((await claimItem(second, queue.id)).item?.position, 2, 'a live claim is passed over');
    await expireClaims(queue.id);
    const takeover = await claimItem(reviewers[2]!, queue.id);
    assert.equal(takeover.item?.position, 1, 'the abandoned item is first in line again');
    await assert.rejects(labelItem(first, queue.id, 1, { label: 'spam' }), rejects('review_item.claimed'));
    // The second reviewer's claim expired too but nobody took it: their label still counts.
    await labelItem(second, queue.id, 2, { label: 'spam' });
    assert.equal((await items(queue.id))[1]!.state, 'labelled');
  });

  it("labels through the records service: the record's label, a records.update event with queue, position and strategy, the item's change-set", async () => {
    const queue = await insertReviewQueue(scored, scored.recordIds.slice(10, 14), { strategy: 'misclassified' });
    const work = await claimItem(scientist, queue.id);
    const item = work.item!;
    assert.deepEqual(work.queue.labels, ['ham', 'spam']);
    assert.equal(item.record.text, (await DataRecord.findByPk(item.recordId))!.text);
    assert.ok(item.prediction, "the queue version's prediction is shown");
    assert.deepEqual(work.progress, {
      total: 4,
      pending: 4,
      labelled: 0,
      skipped: 0,
      reviewed: 0,
      labelledByYou: 0,
      lastLabelledByYou: null,
    });
    const before = await labelOf(item.recordId);
    const next = before === 'spam' ? 'ham' : 'spam';
    const after = await labelItem(scientist, queue.id, item.position, { label: next });
    assert.equal(await labelOf(item.recordId), next);
    assert.deepEqual([after.progress.labelled, after.progress.lastLabelledByYou], [1, item.position]);

    const event = (await AuditEvent.findOne({ where: { action: 'records.update' }, order: [['seq', 'DESC']] }))!;
    assert.equal(event.outcome, 'success');
    assert.equal(event.actorId, String((scientist as { id: number }).id));
    assert.deepEqual(event.recordIds, [String(item.recordId)]);
    assert.deepEqual(event.before, { label: before });
    assert.deepEqual(event.after, { label: next });
    assert.deepEqual(event.selection, {
      review: { queueId: queue.id, queue: queue.name, position: item.position, strategy: 'misclassified', label: next },
    });
    const [row] = await sequelizeOf().query<Record<string, unknown>>(
      `SELECT state, label, previous_label, labelled_by, change_set_id::int AS change_set_id, claimed_by
         FROM review_items WHERE queue_id = :q AND position = :p`,
      { replacements: { q: queue.id, p: item.position }, type: QueryTypes.SELECT },
    );
    assert.deepEqual(row, {
      state: 'labelled',
      label: next,
      previous_label: before,
      labelled_by: (scientist as { id: number }).id,
      change_set_id: (event.changeSet as { id: number }).id,
      claimed_by: null,
    });
    await assert.rejects(
      labelItem(scientist, queue.id, item.position, { label: before ?? 'ham' }),
      rejects('review_item.not_pending'),
    );
    await assert.rejects(
      labelItem(scientist, queue.id, 2, { label: 'eggs' }),
      rejects('record.label_not_in_dataset'),
      "a label outside the dataset's set is refused by the records service",
    );
    assert.equal((await items(queue.id))[1]!.state, 'pending', 'the refused label left the item pending');
  });

  it("skips an item (audited), and undoes one's own last label: the previous label back, the item pending and held again", async () => {
    const queue = await insertReviewQueue(scored, scored.recordIds.slice(20, 24));
    const first = (await claimItem(manager, queue.id)).item!;
    await skipItem(manager, queue.id, first.position);
    const skipEvent = (await AuditEvent.findOne({
      where: { action: 'review_queues.skip' },
      order: [['seq', 'DESC']],
    }))!;
    assert.deepEqual(skipEvent.recordIds, [String(first.recordId)]);
    assert.equal((skipEvent.selection as { review: { position: number } }).review.position, first.position);

    const second = (await claimItem(manager, queue.id)).item!;
    assert.equal(second.position, 2, 'a skipped item is not offered again');
    const original = await labelOf(second.recordId);
    const changed = original === 'spam' ? 'ham' : 'spam';
    await labelItem(manager, queue.id, second.position, { label: changed });
    const third = (await claimItem(manager, queue.id)).item!;
    assert.equal(third.position, 3);
    await assert.rejects(undoLabel(scientist, queue.id, second.position), rejects('review_item.not_your_label'));

    const undone = await undoLabel(manager, queue.id, second.position);
    assert.equal(undone.item?.position, second.position, 'the undone item is the current one again');
    assert.equal(await labelOf(second.recordId), original);
    const event = (await AuditEvent.findOne({ where: { action: 'records.update' }, order: [['seq', 'DESC']] }))!;
    assert.deepEqual([event.before, event.after], [{ label: changed }, { label: original }]);
    assert.equal((event.selection as { review: { undoes: number } }).review.undoes > 0, true);
    const rows = await items(queue.id);
    assert.deepEqual(
      rows.map((r) => [r.position, r.state, r.claimedBy]),
      [
        [1, 'skipped', null],
        [2, 'pending', (manager as { id: number }).id],
        [3, 'pending', null],
        [4, 'pending', null],
      ],
      'the item held before the undo was let go',
    );
    assert.equal((await claimItem(manager, queue.id)).item?.position, 2);
    await assert.rejects(undoLabel(manager, queue.id, 2), rejects('review_item.not_labelled'));
  });

  it("second review: never one's own label, a rejection needs a comment, agreement per label; an undo is refused once reviewed", async () => {
    const queue = await insertReviewQueue(scored, scored.recordIds.slice(30, 36), { secondReview: true });
    const labeller = reviewers[0]!; // a data scientist
    const plan = ['spam', 'spam', 'spam', 'ham', 'ham', 'ham'];
    for (const label of plan) {
      const { item } = await claimItem(labeller, queue.id);
      await labelItem(labeller, queue.id, item!.position, { label });
    }
    assert.equal((await claimItem(labeller, queue.id, { mode: 'review' })).item, null, 'nothing of others to review');
    await assert.rejects(
      secondReview(labeller, queue.id, 1, { verdict: 'accepted' }),
      rejects('review_item.own_label'),
    );
    await assert.rejects(
      claimItem(manager, queue.id, { mode: 'review' }),
      rejects('review_queues.second_review_forbidden'),
    );
    const verdicts: Array<'accepted' | 'rejected'> = ['accepted', 'accepted', 'rejected', 'accepted', 'rejected'];
    for (const verdict of verdicts) {
      const { item } = await claimItem(scientist, queue.id, { mode: 'review' });
      assert.ok(item && !item.labelledByYou && item.label);
      if (verdict === 'rejected')
        await assert.rejects(
          secondReview(scientist, queue.id, item.position, { verdict }),
          rejects('review.comment_required'),
        );
      await secondReview(scientist, queue.id, item.position, { verdict, comment: 'looked at the headers' });
    }
    await assert.rejects(undoLabel(labeller, queue.id, 1), rejects('review_item.already_reviewed'));
    const predicted = await sequelizeOf().query<{ label: string }>(
      `SELECT p.predicted_label AS label FROM review_items i JOIN record_predictions p ON p.record_id = i.record_id
        WHERE i.queue_id = :q ORDER BY i.position`,
      { replacements: { q: queue.id }, type: QueryTypes.SELECT },
    );
    const previous = await sequelizeOf().query<{ previous: string }>(
      'SELECT previous_label AS previous FROM review_items WHERE queue_id = :q ORDER BY position',
      { replacements: { q: queue.id }, type: QueryTypes.SELECT },
    );
    const expected = (['ham', 'spam'] as const).map((label) => {
      const at = plan.flatMap((l, i) => (l === label ? [i] : []));
      const judged = at.filter((i) => i < verdicts.length);
      const accepted = judged.filter((i) => verdicts[i] === 'accepted').length;
      return {
        label,
        labelled: at.length,
        reviewed: judged.length,
        accepted,
        rejected: judged.length - accepted,
        agreement: judged.length === 0 ? null : accepted / judged.length,
        changed: at.filter((i) => previous[i]!.previous !== label).length,
        modelAgreed: at.filter((i) => predicted[i]!.label === label).length,
      };
    });
    assert.deepEqual(await agreementOf(scientist, queue.id), expected);
    assert.deepEqual(
      expected.map((e) => [e.label, e.agreement]),
      [
        ['ham', 0.5],
        ['spam', 2 / 3],
      ],
    );
  });

  it('refuses work on a queue still being built or closed, and by a caller who is no person (409, 400)', async () => {
    const building = await insertReviewQueue(scored, scored.recordIds.slice(0, 2), { status: 'building' });
    const closed = await insertReviewQueue(scored, scored.recordIds.slice(0, 2), { status: 'closed' });
    await assert.rejects(claimItem(scientist, building.id), rejects('review_queue.building'));
    await assert.rejects(claimItem(scientist, closed.id), rejects('review_queue.not_open'));
    await assert.rejects(claimItem(systemActor, closed.id), rejects('review.reviewer_required'));
    await assert.rejects(claimItem(scientist, 999_999), rejects('review_queue.not_found'));
    const open = await insertReviewQueue(scored, scored.recordIds.slice(0, 2));
    await assert.rejects(
      secondReview(scientist, open.id, 1, { verdict: 'accepted' }),
      rejects('review_queue.no_second_review'),
    );
  });

  describe('the API routes, for every role (real HTTP, keys with every usable scope)', () => {
    let server: RunningConsole;
    const keys = new Map<Role, { key: string; actor: Actor }>();

    before(async function () {
      this.timeout(60_000);
      await stopWorker();
      server = await startConsoleServer();
      for (const role of Role.options) {
        const user = await createTestUser(role);
        const actor = actorOf(user);
        const scopes = ApiScope.options.filter((scope) => unusableScopes(actor, [scope]).length === 0);
        const { key } = await createApiKey(systemActor, { ownerEmail: user.email, name: unique('review'), scopes });
        keys.set(role, { key, actor });
      }
    });
    after(async () => server?.stop());

    const call = async (role: Role, path: string, body?: unknown) => {
      const response = await fetch(`${server.baseUrl}/api/v1${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${keys.get(role)!.key}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    for (const role of Role.options) {
      it(`answers ${role === 'admin' || role === 'auditor' ? 'an' : 'a'} ${role} on claim, label, skip, undo and verdict as decide() says, with the reason when refused`, async () => {
        const { actor } = keys.get(role)!;
        const queue = await insertReviewQueue(scored, scored.recordIds.slice(0, 3), { secondReview: true });
        const mayLabel = decide(actor, 'reviewQueues', 'label') === true;
        const mayReview = decide(actor, 'reviewQueues', 'secondReview') === true;
        const expect = (answer: { status: number; body: Record<string, unknown> }, allowed: boolean, what: string) => {
          if (allowed) assert.equal(answer.status, 200, `${role} ${what}: ${JSON.stringify(answer.body)}`);
          else {
            assert.equal(answer.status, 403, `${role} ${what}: ${JSON.stringify(answer.body)}`);
            assert.match(String(answer.body.code), /^auth\.(role_forbidden|missing_scope)$/);
            assert.match(String(answer.body.detail), /may not|scope/);
          }
        };
        const claimed = await call(role, `/review-queues/${queue.id}/claim`, {});
        expect(claimed, mayLabel, 'claim');
        const label = await call(role, `/review-queues/${queue.id}/items/1/label`, { label: 'spam' });
        expect(label, mayLabel, 'label');
        expect(await call(role, `/review-queues/${queue.id}/items/2/skip`), mayLabel, 'skip');
        expect(await call(role, `/review-queues/${queue.id}/items/1/undo`), mayLabel, 'undo');
        if (mayLabel) {
          assert.equal((claimed.body.item as { position: number }).position, 1);
          assert.deepEqual(
            (await items(queue.id)).map((r) => r.state),
            ['pending', 'skipped', 'pending'],
          );
          // Label item 1 again, for someone else to judge.
          assert.equal((await call(role, `/review-queues/${queue.id}/items/1/label`, { label: 'spam' })).status, 200);
        } else {
          await labelItem(scientist, queue.id, 1, { label: 'spam' });
        }
        const other = (await items(queue.id))[0]!;
        const labelledByCaller = mayLabel;
        const verdict = await call(role, `/review-queues/${queue.id}/items/1/verdict`, { verdict: 'accepted' });
        if (!mayReview) expect(verdict, false, 'verdict');
        else if (labelledByCaller) {
          assert.equal(verdict.status, 403, `${role}: own label`);
          assert.equal(verdict.body.code, 'review_item.own_label');
        } else expect(verdict, true, 'verdict');
        assert.equal(other.label, 'spam');
        const bad = await call(role, `/review-queues/${queue.id}/items/3/label`, { label: 'spam', extra: 1 });
        assert.equal(bad.status, 400, `${role}: an unknown field is a 400, checked before access`);
      });
    }

    it('answers 404 for a queue or an item that does not exist, and 409 for one taken by someone else', async () => {
      const queue = await insertReviewQueue(scored, scored.recordIds.slice(0, 2));
      assert.equal((await call('admin', '/review-queues/999999/claim', {})).status, 404);
      assert.equal((await call('admin', `/review-queues/${queue.id}/items/9/label`, { label: 'spam' })).status, 404);
      await claimItem(scientist, queue.id);
      const taken = await call('admin', `/review-queues/${queue.id}/items/1/label`, { label: 'spam' });
      assert.deepEqual([taken.status, taken.body.code], [409, 'review_item.claimed']);
    });
  });

  after(async () => {
    // Nothing the other files read: the queues stay with their dataset.
    assert.ok((await AuditEvent.count({ where: { action: { [Op.like]: 'review_queues.%' } } })) > 0);
  });
});
