import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cliActor } from '../../access/actor.js';
import { checkUploadSize, MEGABYTE, uploadVersion } from '../../registry/upload-version.js';
import { UsageError, type Command } from '../command.js';
import { withDatabase } from '../open-database.js';

const usage = `npm run cli -- upload-model --model NAME --file PATH.onnx [--labels a,b,c]
  Registers an externally trained ONNX classifier (e.g. scikit-learn via skl2onnx, exported with zipmap=False)
  as the next version of the model, after checking it on the model's dataset and evaluating it on the test split.
  --labels: the class labels in the order of the model's probability columns (scikit-learn: model.classes_);
  default: the file's modeldesk.labels metadata, else the dataset's labels sorted.`;

export const uploadModelCommand: Command = {
  name: 'upload-model',
  summary: 'Upload an externally trained .onnx file as a new, evaluated version of a model.',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { model: { type: 'string' }, file: { type: 'string' }, labels: { type: 'string' } },
      strict: true,
    });
    if (!values.model || !values.file) throw new UsageError('--model and --file are required.');
    const file = values.file;
    const size = await stat(file).then(
      (s) => (s.isFile() ? s.size : undefined),
      () => undefined,
    );
    if (size === undefined) throw new UsageError(`Cannot read "${file}": give the path of an .onnx file.`);
    return withDatabase(async ({ config }) => {
      const maxBytes = config.MAX_MODEL_UPLOAD_MB * MEGABYTE;
      const fileName = path.basename(file);
      checkUploadSize(fileName, size, maxBytes);
      const result = await uploadVersion(
        cliActor(),
        { modelName: values.model!, fileName, bytes: await readFile(file), labels: values.labels },
        {
          maxBytes,
          check: { maxMemoryMb: config.MODEL_CHECK_MAX_MEMORY_MB, timeoutSeconds: config.MODEL_CHECK_TIMEOUT_SECONDS },
        },
      );
      const accuracy =
        result.accuracy === null
          ? 'no labelled test rows to evaluate on'
          : `test accuracy ${(result.accuracy * 100).toFixed(1)}% on ${result.testRows} rows`;
      console.log(
        `Registered ${result.model} v${result.version.version} from ${fileName} (${result.version.sizeBytes} bytes, sha256 ${result.version.sha256.slice(0, 12)}…): checked on ${result.sampleRows} records, class order from the ${result.labelsFrom}, ${accuracy}.`,
      );
      return 0;
    });
  },
};
