import { ModelVersion } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { Forbidden } from '../errors/domain-error.js';

export interface ModelFile {
  /** `<model>-v<version>.onnx` */
  fileName: string;
  sha256: string;
  bytes: Buffer;
}

/** A model version's exact ONNX bytes for download; null when there is no such version. */
export async function modelFile(actor: Actor, versionId: number): Promise<ModelFile | null> {
  if (decide(actor, 'modelVersions', 'download') !== true)
    throw new Forbidden('model_version.download_forbidden', 'Your role may not download model files.');
  const version = Number.isInteger(versionId)
    ? await ModelVersion.unscoped().findByPk(versionId, { include: ['model'] })
    : null;
  if (!version) return null;
  const name = (version.get('model') as { name: string } | undefined)?.name ?? 'model';
  return { fileName: `${name}-v${version.version}.onnx`, sha256: version.sha256, bytes: version.onnx };
}
