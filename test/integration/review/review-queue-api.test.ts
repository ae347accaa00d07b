import assert from 'node:assert/strict';
import { Op, QueryTypes } from 'sequelize';
import { AuditEvent, ReviewQueue, sequelizeOf, type ModelVersion } from '../../../models/index.js';
import type { Role } from '../../../models/enums.js';
import { systemActor, type Actor } from '../../../src/access/actor.js';
import { createApiKey } from '../../../src/auth/api-keys/create-api-key.js';
import { unusableScopes } from '../../../src/auth/api-keys/scopes.js';
import { ApiScope } from '../../../models/enums.js';
import { stopWorker } from '../../../src/jobs/run-worker.js';
import { trainModel } from '../../../src/ml/train-model.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../../support/console-server.js';
import { useTestDatabase } from '../../support/database.js';
import { cancelQueuedJobs } from '../../support/jobs.js';
import { createPenguinModel } from '../../support/penguin-model.js';
import { queuedReviewQueue, scoreAllBy } from '../../support/review-queues.js';

const ROLES: Role[] = ['admin', 'data_scientist', 'content_manager', 'auditor'];
const BUILDERS: Role[] = ['admin', 'data_scientist'];

interface Person {
  actor: Actor;
  key: string;
  http: HttpSession;
}

describe('review queues over HTTP: API routes and console actions for every role (real server)', () => {
  let server: RunningConsole;
  let datasetId: number;
  let version: ModelVersion;
  const people = new Map<Role, Person>();

  const call = (role: Role, path: string, method = 'GET', body?: unknown) =>
    fetch(`${server.baseUrl}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${people.get(role)!.key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const denials = () => AuditEvent.count({ where: { action: 'review_queues.create', outcome: 'denied' } });

  before(async function () {
    this.timeout(180_000);
    await useTestDatabase();
    await stopWorker(); // the queues stay "building": these tests read and refuse, they do not build
    server = await startConsoleServer();
    const scientist = await createTestUser('data_scientist');
    const model = await createPenguinModel('review-api');
    datasetId = model.datasetId;
    version = (await trainModel({ type: 'user', ...scientist }, { model: model.name, maxIterations: 5 })).version;
    await scoreAllBy(version, datasetId, 'Adelie');
    for (const role of ROLES) {
      const user = await createTestUser(role);
      const actor: Actor = { type: 'user', ...user };
      const scopes = ApiScope.options.filter((scope) => unusableScopes(actor, [scope]).length === 0);
      const { key } = await createApiKey(systemActor, { ownerEmail: user.email, name: 'review api test', scopes });
      const http = new HttpSession(server.baseUrl);
      assert.equal((await http.login(user.email, TEST_PASSWORD)).status, 302);
      people.set(role, { actor, key, http });
    }
  });
  after(async () => {
    await cancelQueuedJobs();
    await server?.stop();
  });

  it('POST /review-queues: 202 with the queue and its job for admins and data scientists, 403 (audited) for the others', async () => {
    for (const role of ROLES) {
      const queues = await ReviewQueue.count();
      const response = await call(role, '/review-queues', 'POST', {
        datasetId,
        modelVersionId: version.id,
        strategy: 'least_margin',
        filter: { split: 'test', dedupe: 'exact' },
        size: 25,
      });
      const body = (await response.json()) as { queue?: { id: number; status: string }; jobId?: number; code?: string };
      if (BUILDERS.includes(role)) {
        assert.equal(response.status, 202, `${role}: ${JSON.stringify(body)}`);
        assert.equal(response.headers.get('location'), `/api/v1/review-queues/${body.queue!.id}`);
        assert.equal(body.queue!.status, 'building');
        const queue = (await ReviewQueue.findByPk(body.queue!.id))!;
        assert.deepEqual(queue.filter, { split: 'test', dedupe: 'exact' });
        assert.equal(Number(queue.jobId), body.jobId);
      } else {
        assert.equal(response.status, 403, `${role}: ${JSON.stringify(body)}`);
        assert.equal(await ReviewQueue.count(), queues, `${role}: nothing created`);
      }
    }
  });

  it('POST /review-queues: 400 naming each bad field', async () => {
    const response = await call('data_scientist', '/review-queues', 'POST', {
      datasetId,
      modelVersionId: version.id,
      strategy: 'newest',
      size: 20_000,
      filter: { similarity: 2 },
    });
    const body = (await response.json()) as { errors: Array<{ path: string }> };
    assert.equal(response.status, 400);
    const paths = body.errors.map((e) => e.path).sort();
    assert.deepEqual(paths, ['filter.similarity', 'size', 'strategy']);
    const noVersion = await call('data_scientist', '/review-queues', 'POST', {
      datasetId,
      modelVersionId: version.id,
      strategy: 'disagreement',
    });
    assert.equal(noVersion.status, 400);
    assert.match(((await noVersion.json()) as { detail: string }).detail, /choose the version to compare with/);
  });

  it('GET /review-queues and /review-queues/{id}: every role reads them, with progress and per-label agreement', async () => {
    const { queueId } = await queuedReviewQueue(people.get('admin')!.actor, datasetId, version);
    const reviewer = (await createTestUser('content_manager')).id;
    const checker = (await createTestUser('data_scientist')).id;
    // Ten items: 4 labelled Adelie (3 second-reviewed: 2 accepted), 2 labelled Gentoo (1 rejected), 1 skipped, 3 pending (1 claimed).
    const rows: Array<[string, string | null, string | null, string | null]> = [
      ['labelled', 'Adelie', 'Adelie', 'accepted'],
      ['labelled', 'Adelie', 'Chinstrap', 'accepted'],
      ['labelled', 'Adelie', 'Gentoo', 'rejected'],
      ['labelled', 'Adelie', 'Adelie', null],
      ['labelled', 'Gentoo', 'Adelie', 'rejected'],
      ['labelled', 'Gentoo', 'Gentoo', null],
      ['skipped', null, null, null],
      ['pending', null, null, null],
      ['pending', null, null, null],
      ['pending', null, null, null],
    ];
    for (const [i, [state, label, previous, verdict]] of rows.entries()) {
      await sequelizeOf().query(
        `INSERT INTO review_items (queue_id, position, record_id, priority, state, label, previous_label, labelled_by, labelled_at,
                                   review_verdict, reviewed_by, reviewed_at, claimed_by, claim_expires_at)
         VALUES (:queueId, :position, :position, 0.1, :state, :label, :previous, :reviewer, CASE WHEN :label::text IS NULL THEN NULL ELSE now() END,
                 :verdict, CASE WHEN :verdict::text IS NULL THEN NULL ELSE :checker::int END, CASE WHEN :verdict::text IS NULL THEN NULL ELSE now() END,
                 CASE WHEN :position = 8 THEN :reviewer::int END, CASE WHEN :position = 8 THEN now() + interval '5 minutes' END)`,
        {
          replacements: { queueId, position: i + 1, state, label, previous, verdict, reviewer, checker },
        },
      );
    }
    // How many of each label's items (records 1–4 Adelie, 5–6 Gentoo) the version predicted the same label for.
    const predicted = await sequelizeOf().query<{ record_id: string; predicted_label: string }>(
      'SELECT record_id, predicted_label FROM record_predictions WHERE model_version_id = :version AND record_id BETWEEN 1 AND 6',
      { replacements: { version: version.id }, type: QueryTypes.SELECT },
    );
    const agreed = { Adelie: 0, Gentoo: 0 };
    for (const p of predicted) {
      const label = Number(p.record_id) <= 4 ? 'Adelie' : 'Gentoo';
      if (p.predicted_label === label) agreed[label] += 1;
    }
    for (const role of ROLES) {
      const list = await call(role, `/review-queues?datasetId=${datasetId}&limit=500`);
      assert.equal(list.status, 200, role);
      const page = (await list.json()) as { items: Array<{ id: number }> };
      assert.ok(page.items.some((q) => q.id === queueId));
      const show = await call(role, `/review-queues/${queueId}`);
      assert.equal(show.status, 200, role);
      const detail = (await show.json()) as {
        progress: Record<string, number>;
        agreement: Array<{
          label: string;
          labelled: number;
          reviewed: number;
          accepted: number;
          agreement: number | null;
          rejected: number;
          changed: number;
          modelAgreed: number;
        }>;
      };
      assert.deepEqual(detail.progress, {
        total: 10,
        pending: 3,
        labelled: 6,
        skipped: 1,
        claimed: 1,
        changed: 3,
        reviewed: 4,
      });
      assert.deepEqual(detail.agreement, [
        {
          label: 'Adelie',
          labelled: 4,
          reviewed: 3,
          accepted: 2,
          rejected: 1,
          agreement: 2 / 3,
          changed: 2,
          modelAgreed: agreed.Adelie,
        },
        {
          label: 'Gentoo',
          labelled: 2,
          reviewed: 1,
          accepted: 0,
          rejected: 1,
          agreement: 0,
          changed: 1,
          modelAgreed: agreed.Gentoo,
        },
      ]);
    }
    assert.equal((await call('auditor', '/review-queues/999999')).status, 404);
  });

  it('console "New review queue": the form and the build for admins and data scientists, 403 (audited) for the others', async () => {
    for (const role of ROLES) {
      const { http } = people.get(role)!;
      const form = await http.api(`/resources/reviewQueues/actions/create?datasetId=${datasetId}`);
      const before = await denials();
      const post = await http.api('/resources/reviewQueues/actions/create', 'POST', {
        datasetId: String(datasetId),
        modelVersionId: String(version.id),
        strategy: 'random',
        'filter.label': 'Gentoo',
        size: '10',
        secondReview: 'true',
      });
      if (BUILDERS.includes(role)) {
        assert.equal(form.status, 200, role);
        const choices = (await form.json()) as {
          datasets: Array<{ id: number; versions: Array<{ id: number; scored: number }> }>;
        };
        assert.deepEqual(
          choices.datasets.map((d) => d.id),
          [datasetId],
        );
        assert.ok(choices.datasets[0]!.versions.some((v) => v.id === version.id && v.scored > 300));
        const body = (await post.json()) as { notice: { type: string; message: string }; redirectUrl: string };
        assert.equal(post.status, 200);
        assert.equal(body.notice.type, 'success', body.notice.message);
        const id = Number(/reviewQueues\/records\/(\d+)\/show/.exec(body.redirectUrl)?.[1]);
        const queue = (await ReviewQueue.findByPk(id))!;
        assert.equal(queue.strategy, 'random');
        assert.equal(queue.secondReview, true);
        assert.deepEqual(queue.filter, { label: 'Gentoo' });
      } else {
        assert.equal(form.status, 403, role);
        assert.equal(post.status, 403, role);
        assert.equal(await denials(), before + 1, `${role}: the refusal is audited`);
      }
    }
  });

  it('console "New review queue" says what to fix when the request cannot be built', async () => {
    const post = await people.get('data_scientist')!.http.api('/resources/reviewQueues/actions/create', 'POST', {
      datasetId: String(datasetId),
      modelVersionId: String(version.id),
      strategy: 'drift',
    });
    const body = (await post.json()) as { notice: { type: string; message: string } };
    assert.equal(body.notice.type, 'error');
    assert.match(body.notice.message, /drifted slice/);
  });

  it('console show: every role sees the progress; "Close queue" for admins and data scientists only, audited', async () => {
    for (const role of ROLES) {
      const { http } = people.get(role)!;
      const { queueId } = await queuedReviewQueue(people.get('admin')!.actor, datasetId, version);
      const show = await http.api(`/resources/reviewQueues/records/${queueId}/show`);
      assert.equal(show.status, 200, role);
      const progress = JSON.parse(
        ((await show.json()) as { record: { params: { progress: string } } }).record.params.progress,
      ) as { progress: { total: number } };
      assert.equal(progress.progress.total, 0, 'still building: no items yet');
      const close = await http.api(`/resources/reviewQueues/records/${queueId}/close`, 'POST');
      const queue = (await ReviewQueue.findByPk(queueId))!;
      if (BUILDERS.includes(role)) {
        assert.equal(close.status, 200, role);
        assert.equal(queue.status, 'closed');
        const event = await AuditEvent.findOne({
          where: { action: 'review_queues.close', outcome: 'success', recordIds: { [Op.contains]: [String(queueId)] } },
        });
        assert.ok(event, `${role}: the close is audited`);
        const again = (await (await http.api(`/resources/reviewQueues/records/${queueId}/close`, 'POST')).json()) as {
          notice: { type: string; message: string };
        };
        assert.equal(again.notice.type, 'error');
        assert.match(again.notice.message, /already closed/);
      } else {
        assert.equal(close.status, 403, role);
        assert.equal(queue.status, 'building');
      }
    }
  });
});
