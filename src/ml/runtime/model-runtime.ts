import type { DatasetTask, FeatureSpec } from '../../../models/enums.js';
import { Dataset, MlModel, ModelVersion } from '../../../models/index.js';
import { changeNotifications } from '../../db/change-notifications.js';
import { NotFound, Unavailable } from '../../errors/domain-error.js';
import { resolveVersion } from '../../registry/resolve-version.js';
import { logger } from '../../platform/logger.js';
import {
  featureWidth,
  openClassifier,
  signatureOf,
  type Classifier,
  type ClassifierSignature,
} from '../onnx-classifier.js';
import { MicroBatcher } from './micro-batcher.js';

/** A model version ready to answer: its identity, what it takes, and its batcher. */
export interface ServedVersion {
  modelName: string;
  versionId: number;
  version: number;
  task: DatasetTask;
  signature: ClassifierSignature;
  /** Floats per row (tabular). */
  width: number;
  /** The dataset's features in row order, when they match the model's input (instances may then be objects). */
  features: readonly FeatureSpec[] | null;
  batcher: MicroBatcher;
  /** The ONNX bytes in shared memory, for worker threads to open their own sessions without a copy. */
  onnx: Uint8Array;
}

export interface Target {
  served: ServedVersion;
  /** The alias asked for (default production), or null when a version number was. */
  alias: string | null;
}

const MAX_LOADED = 16;
const RETRY_FAILED_LOAD_MS = 10_000;

/**
 * The inference side of the registry, per web process: which version a model's alias points at
 * (cached, dropped on any change to model_aliases in any process, so a promotion is served within
 * milliseconds and never from the old version), and one open onnxruntime session per version
 * (loaded on first use, at most MAX_LOADED, least recently used closed first).
 */
export class ModelRuntime {
  /** Model name + alias or version number → the version it names (aliases dropped on any alias change). */
  private readonly targets = new Map<string, { versionId: number; alias: string | null; at: number }>();
  private readonly loaded = new Map<number, Promise<ServedVersion>>();
  private readonly failed = new Map<number, { error: Unavailable; at: number }>();
  private readonly unsubscribe: () => void;

  constructor(private readonly options: { tabularBatchRows: number; textBatchRows: number }) {
    this.unsubscribe = changeNotifications.on('model_aliases', () => {
      for (const [key, target] of this.targets) if (target.alias !== null) this.targets.delete(key);
    });
  }

  async resolve(modelName: string, choice: { alias?: string; version?: number }): Promise<Target> {
    // Versions are immutable, so a number names the same version for ever; aliases move (NOTIFY).
    const key =
      choice.version !== undefined
        ? `${modelName}\u0000#${choice.version}`
        : `${modelName}\u0000${choice.alias ?? 'production'}`;
    const cached = this.targets.get(key);
    if (
      cached &&
      (cached.alias === null || Date.now() - cached.at < changeNotifications.trustMs(Number.POSITIVE_INFINITY))
    ) {
      return { served: await this.load(cached.versionId), alias: cached.alias };
    }
    const { version, alias } = await resolveVersion(modelName, choice);
    this.targets.set(key, { versionId: version.id, alias, at: Date.now() });
    return { served: await this.load(version.id), alias };
  }

  async close(): Promise<void> {
    this.unsubscribe();
    const all = [...this.loaded.values()];
    this.loaded.clear();
    await Promise.all(all.map((p) => p.then((s) => s.batcher.release()).catch(() => undefined)));
  }

  private load(versionId: number): Promise<ServedVersion> {
    const open = this.loaded.get(versionId);
    if (open) {
      // Most recently used last, so the first entry is the one to close when full.
      this.loaded.delete(versionId);
      this.loaded.set(versionId, open);
      return open;
    }
    const failure = this.failed.get(versionId);
    if (failure && Date.now() - failure.at < RETRY_FAILED_LOAD_MS) return Promise.reject(failure.error);
    const loading = this.open(versionId);
    this.loaded.set(versionId, loading);
    loading.catch((error: unknown) => {
      this.loaded.delete(versionId);
      if (error instanceof Unavailable) this.failed.set(versionId, { error, at: Date.now() });
    });
    if (this.loaded.size > MAX_LOADED) {
      const [oldest, evicted] = this.loaded.entries().next().value!;
      this.loaded.delete(oldest);
      // Requests already holding it finish first: their run is queued before the release.
      void evicted.then((s) => setTimeout(() => void s.batcher.release(), 5_000).unref()).catch(() => undefined);
    }
    return loading;
  }

  private async open(versionId: number): Promise<ServedVersion> {
    const version = await ModelVersion.unscoped().findByPk(versionId); // with its ONNX bytes
    const model = version ? await MlModel.findByPk(version.modelId) : null;
    const dataset = model ? await Dataset.findByPk(model.datasetId) : null;
    if (!version || !model || !dataset)
      throw new NotFound('version.not_found', `Model version ${versionId} no longer exists.`);
    let classifier: Classifier;
    let signature: ClassifierSignature;
    try {
      signature = signatureOf(version);
      classifier = await openClassifier(version.onnx, signature);
    } catch (error) {
      logger.error(
        { err: error, model: model.name, version: version.version },
        'could not load a model version for inference',
      );
      throw new Unavailable(
        'model.load_failed',
        `Version ${version.version} of "${model.name}" could not be loaded for inference; try another version, or ask an administrator to look at the server log.`,
      );
    }
    const width = featureWidth(signature);
    const tabular = signature.input.type === 'float32';
    return {
      modelName: model.name,
      versionId,
      version: version.version,
      task: dataset.task,
      signature,
      width,
      features: tabular && dataset.featureSchema.length === width ? dataset.featureSchema : null,
      batcher: new MicroBatcher(classifier, {
        maxRows: tabular ? this.options.tabularBatchRows : this.options.textBatchRows,
      }),
      onnx: shared(version.onnx),
    };
  }
}

function shared(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
  copy.set(bytes);
  return copy;
}
