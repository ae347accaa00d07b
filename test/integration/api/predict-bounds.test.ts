import assert from 'node:assert/strict';
import { Op } from 'sequelize';
import { AuditEvent, Dataset, type ModelVersion } from '../../../models/index.js';
import { systemActor, type Actor } from '../../../src/access/actor.js';
import { createApiKey } from '../../../src/auth/api-keys/create-api-key.js';
import { trainModel } from '../../../src/ml/train-model.js';
import { promoteAlias } from '../../../src/registry/promote-alias.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../../support/console-server.js';
import { useTestDatabase } from '../../support/database.js';
import { createNanVersion } from '../../support/nan-model.js';
import { createPenguinModel } from '../../support/penguin-model.js';

interface Answer {
  status: number;
  body: {
    code?: string;
    detail?: string;
    errors?: Array<{ path: string; reason: string }>;
    cached?: boolean;
    predictions?: Array<{ score: number; probabilities: Record<string, number> }>;
  };
  contentType: string;
}

/**
 * The predict endpoint's bounds on every way a request reaches it: a keyed call (the fast path,
 * answered without Express), a console session (the routed path), and a body over 64 KiB (parsed,
 * encoded and scored in a worker thread). What a model cannot read as a finite float32, and a category
 * index outside the list, is a 400 with the field's path, never answered or cached; a model that
 * answers NaN is a 502, never answered or cached, and audited.
 */
describe('REST API: predict refuses inputs a model cannot read and outputs that are not numbers (key, session, worker thread)', () => {
  let server: RunningConsole;
  let scientist: Actor & { type: 'user'; email: string };
  let modelName: string;
  let v1: ModelVersion;
  let nan: ModelVersion;
  let key: string;
  let keyPrefix: string;
  let browser: HttpSession;
  let massColumn: number;
  let islandColumn: number;

  const penguin = {
    beak_length_mm: 39.1,
    beak_depth_mm: 18.7,
    flipper_length_mm: 181,
    body_mass_g: 3750,
    island: 'Torgersen',
    sex: 'MALE',
  };
  let penguinRow: Array<number | null>;

  type Transport = 'key (fast path)' | 'session' | 'worker thread';
  const TRANSPORTS: readonly Transport[] = ['key (fast path)', 'session', 'worker thread'];

  async function send(transport: Transport, instances: unknown[], query = ''): Promise<Answer> {
    const path = `/api/v1/models/${modelName}/predict${query}`;
    let response: Response;
    if (transport === 'session') {
      const token = decodeURIComponent(browser.cookies.get('XSRF-TOKEN')!);
      response = await browser.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-xsrf-token': token },
        body: JSON.stringify({ instances }),
      });
    } else {
      // Past 64 KiB a body goes to a worker thread: the padding is whitespace, the instances the same.
      const body = JSON.stringify({ instances }) + (transport === 'worker thread' ? ' '.repeat(70 * 1024) : '');
      response = await fetch(`${server.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body,
      });
    }
    const text = await response.text();
    return {
      status: response.status,
      body: JSON.parse(text) as Answer['body'],
      contentType: response.headers.get('content-type') ?? '',
    };
  }

  before(async function () {
    this.timeout(180_000);
    await useTestDatabase();
    const user = await createTestUser('data_scientist');
    scientist = { type: 'user', ...user };
    const model = await createPenguinModel('bounds');
    modelName = model.name;
    const schema = (await Dataset.findByPk(model.datasetId))!.featureSchema;
    massColumn = schema.findIndex((f) => f.name === 'body_mass_g');
    islandColumn = schema.findIndex((f) => f.name === 'island');
    const values: Record<string, number | string> = penguin;
    penguinRow = schema.map((f) =>
      f.type === 'number' ? Number(values[f.name]) : f.categories!.indexOf(String(values[f.name])),
    );
    v1 = (await trainModel(scientist, { model: modelName, maxIterations: 10 })).version;
    await promoteAlias(scientist, { versionId: v1.id, alias: 'production' });
    nan = await createNanVersion(v1, 77, massColumn);
    const issued = await createApiKey(systemActor, {
      ownerEmail: user.email,
      name: 'bounds test',
      scopes: ['predict'],
    });
    key = issued.key;
    keyPrefix = issued.apiKey.prefix;
    server = await startConsoleServer({ API_MAX_INSTANCES: '200', API_MAX_BODY_KB: '256' });
    browser = new HttpSession(server.baseUrl);
    await browser.login(user.email, TEST_PASSWORD);
  });

  after(async () => server?.stop());

  const withValue = (column: number, value: unknown) => penguinRow.map((v, j) => (j === column ? value : v));

  /** [what, the bad instance, its path after `instances[1]`, the reason]. */
  const badInstances = (): Array<[string, unknown, string, RegExp]> => [
    ['object: 1e300', { ...penguin, body_mass_g: 1e300 }, '.body_mass_g', /within float32's finite range.*got 1e\+300/],
    ['object: 3.5e38', { ...penguin, body_mass_g: 3.5e38 }, '.body_mass_g', /within float32's finite range/],
    ['object: -1e39', { ...penguin, body_mass_g: -1e39 }, '.body_mass_g', /within float32's finite range/],
    ['object: "1e300" as text', { ...penguin, body_mass_g: '1e300' }, '.body_mass_g', /within float32's finite range/],
    ['object: "NaN" as text', { ...penguin, body_mass_g: 'NaN' }, '.body_mass_g', /must be a finite number, got "NaN"/],
    [
      'object: "Infinity" as text',
      { ...penguin, body_mass_g: 'Infinity' },
      '.body_mass_g',
      /must be a finite number, got "Infinity"/,
    ],
    [
      'object: unknown category',
      { ...penguin, island: 'Atlantis' },
      '.island',
      /one of "Biscoe", "Dream", "Torgersen"/,
    ],
    ['array: 1e300', withValue(massColumn, 1e300), `[${massColumn}]`, /within float32's finite range.*got 1e\+300/],
    ['array: 3.5e38', withValue(massColumn, 3.5e38), `[${massColumn}]`, /within float32's finite range/],
    ['array: -1e39', withValue(massColumn, -1e39), `[${massColumn}]`, /within float32's finite range/],
    [
      'array: category index 99',
      withValue(islandColumn, 99),
      `[${islandColumn}]`,
      /index of a category: an integer from 0 to 2 .*got 99$/,
    ],
    ['array: category index -1', withValue(islandColumn, -1), `[${islandColumn}]`, /index of a category.*got -1$/],
    ['array: category index 0.5', withValue(islandColumn, 0.5), `[${islandColumn}]`, /index of a category.*got 0.5$/],
  ];

  for (const transport of TRANSPORTS) {
    it(`400 with the field's path for values beyond float32 and category indexes outside the list, objects and arrays alike; never cached (${transport})`, async () => {
      for (const [what, bad, at, reason] of badInstances()) {
        // Twice: the second identical request is refused as well (nothing was cached).
        for (const attempt of [1, 2]) {
          const answer = await send(transport, [penguin, bad]);
          assert.equal(answer.status, 400, `${what}, attempt ${attempt}: ${JSON.stringify(answer.body)}`);
          assert.match(answer.contentType, /^application\/problem\+json/);
          assert.equal(answer.body.code, 'instances.invalid', what);
          assert.deepEqual(
            answer.body.errors?.map((e) => e.path),
            [`instances[1]${at}`],
            what,
          );
          assert.match(answer.body.errors[0]!.reason, reason, what);
        }
      }
      // Large but finite values are served, and so is every category index (null: missing).
      const edge = await send(transport, [
        { ...penguin, body_mass_g: 1e30 },
        withValue(islandColumn, 2),
        withValue(islandColumn, null),
      ]);
      assert.equal(edge.status, 200, JSON.stringify(edge.body));
      assert.ok(edge.body.predictions!.every((p) => Number.isFinite(p.score)));
    });
  }

  for (const transport of TRANSPORTS) {
    it(`502 model.output_not_finite when the model answers NaN, naming version and instance; never cached (${transport})`, async () => {
      const broken = { ...penguin, body_mass_g: 0 }; // the NaN model divides by this feature
      for (const attempt of [1, 2]) {
        const answer = await send(transport, [penguin, broken], `?version=${nan.version}`);
        assert.equal(answer.status, 502, `attempt ${attempt}: ${JSON.stringify(answer.body)}`);
        assert.match(answer.contentType, /^application\/problem\+json/);
        assert.equal(answer.body.code, 'model.output_not_finite');
        assert.match(
          answer.body.detail!,
          new RegExp(`Version ${nan.version} of model "${modelName}".*instances\\[1\\]`),
        );
        assert.deepEqual(
          answer.body.errors?.map((e) => e.path),
          ['instances[1]'],
        );
      }
      // The same version answers other inputs: the check is per request, not per model.
      const fine = await send(transport, [penguin], `?version=${nan.version}`);
      assert.equal(fine.status, 200, JSON.stringify(fine.body));
    });
  }

  it('audits a model that answers NaN as a failed models.predict (who, version, why), at most once a minute per version', async () => {
    const events = await AuditEvent.findAll({
      where: { action: 'models.predict', outcome: 'failed', reason: { [Op.like]: 'model.output_not_finite:%' } },
      order: [['seq', 'ASC']],
    });
    assert.equal(events.length, 1, 'six refused requests above: one event, the rest coalesced');
    const [event] = events;
    assert.equal(event!.actorLabel, `key:${keyPrefix}`, 'the first refused request was a keyed one');
    assert.deepEqual(event!.selection, { model: modelName, version: nan.version, versionId: nan.id });
    assert.match(event!.reason!, /Version 77 of model/);
  });
});
