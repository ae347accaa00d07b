import { execFile, fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { FeatureSpec, DatasetTask } from '../../models/enums.js';
import type { DomainError } from '../errors/domain-error.js';
import { InvalidInput, Unavailable } from '../errors/domain-error.js';
import type { ClassifierInputs, ClassifierSignature } from '../ml/onnx-classifier.js';
import type { OnnxModelFacts } from '../ml/onnx-model-proto.js';
import type { LabelSource } from '../ml/onnx-signature.js';

/** The caps on checking one uploaded file (MODEL_CHECK_MAX_MEMORY_MB, MODEL_CHECK_TIMEOUT_SECONDS). */
export interface ModelCheckLimits {
  maxMemoryMb: number;
  timeoutSeconds: number;
}

export const DEFAULT_MODEL_CHECK_LIMITS: ModelCheckLimits = { maxMemoryMb: 1_024, timeoutSeconds: 30 };

/** What the checking process is given: the file, the dataset's shape, and the records encoded. */
export interface CheckRequest {
  fileName: string;
  bytes: Uint8Array;
  labels?: string[];
  dataset: { name: string; task: DatasetTask; labels: string[]; featureSchema: FeatureSpec[] };
  /** The first records of the dataset, to try the model on. */
  sample: { ids: number[]; inputs: ClassifierInputs };
  /** The labelled test split, to evaluate it on. */
  test: { labels: string[]; inputs: ClassifierInputs };
}

export interface CheckedModel {
  facts: OnnxModelFacts;
  signature: ClassifierSignature;
  labelsFrom: LabelSource;
  declaredInputShape: Array<number | string>;
  sampleRows: number;
  testRows: number;
  metrics: Record<string, unknown>;
}

export type CheckReply =
  | { type: 'result'; ok: true; result: CheckedModel }
  | { type: 'result'; ok: false; error: { code: string; message: string; fields?: Readonly<Record<string, string>> } };

export const MODEL_CHECK_OUT_OF_MEMORY = 'onnx.check_memory';

/** onnxruntime (std::bad_alloc, its arena), V8 and the C library say "no memory" in these words. */
export function isOutOfMemory(message: string): boolean {
  return /bad_alloc|failed to allocate memory|out of memory|cannot allocate memory|allocation failed/i.test(message);
}

const CHILD = fileURLToPath(new URL('./check-model-process.js', import.meta.url));
const run = promisify(execFile);

/**
 * Checks an uploaded ONNX file in a process of its own, capped in memory and time: onnxruntime
 * allocates natively while it opens a model (constant folding computes whole tensors), so a few
 * hundred bytes can ask for gigabytes; inside the web process that is the web process's memory. The
 * child loads onnxruntime and reports its size; its address space is then capped (prlimit) at that
 * size plus `maxMemoryMb`, and only then does it receive the file. An allocation over the cap fails
 * in the child (refused: onnx.check_memory), a check over `timeoutSeconds` is killed (onnx.check_timeout).
 * The file's own problems come back as the same InvalidInput the in-process check threw.
 */
export async function checkModelInSeparateProcess(
  request: CheckRequest,
  limits: ModelCheckLimits,
): Promise<CheckedModel> {
  const { fileName } = request;
  const child = fork(CHILD, [], {
    execArgv: [],
    // Only what a process needs to run: no database URL, secrets or the server's settings.
    env: pick(process.env, ['PATH', 'LANG', 'LC_ALL', 'TMPDIR', 'NODE_ENV']),
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8_192);
  });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
    // Could not start, or the channel broke: reported by how it ended (and never an unhandled 'error').
    child.on('error', (error) => {
      stderr += `\n${error.message}`;
      if (child.pid === undefined) resolve({ code: null, signal: null });
    });
  });
  let timedOut = false;
  // The same limit for starting (loading onnxruntime) and, from when the file is sent, for the check.
  const deadline = () =>
    setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, limits.timeoutSeconds * 1_000);
  let timer = deadline();
  try {
    const ready = await nextMessage<{ type: 'ready'; vmSizeKb: number }>(child, ended);
    if (ready?.type !== 'ready') throw await abnormalEnd();
    await capAddressSpace(child.pid!, ready.vmSizeKb * 1024 + limits.maxMemoryMb * 1024 * 1024);
    clearTimeout(timer);
    timer = deadline();
    child.send(request);
    const reply = await nextMessage<CheckReply>(child, ended);
    if (!reply) throw await abnormalEnd();
    if (reply.ok) return reply.result;
    const { code, message, fields } = reply.error;
    if (code === MODEL_CHECK_OUT_OF_MEMORY) throw overMemory(fileName, limits);
    if (code !== 'onnx.check_failed') throw new InvalidInput(code, message, fields);
    throw new InvalidInput(
      'onnx.invalid',
      `"${fileName}" could not be checked: ${short(message)}. Upload the .onnx file your exporter wrote.`,
    );
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  async function abnormalEnd(): Promise<DomainError> {
    const { code, signal } = await ended;
    if (timedOut) {
      return new InvalidInput(
        'onnx.check_timeout',
        `"${fileName}" took longer than ${limits.timeoutSeconds} s to open and run on the dataset (MODEL_CHECK_TIMEOUT_SECONDS), so it was refused: export a smaller or simpler model, or ask an admin to raise MODEL_CHECK_TIMEOUT_SECONDS.`,
      );
    }
    if (isOutOfMemory(stderr) || signal === 'SIGABRT' || signal === 'SIGTRAP' || signal === 'SIGSEGV')
      return overMemory(fileName, limits);
    return new InvalidInput(
      'onnx.check_crashed',
      `Checking "${fileName}" stopped the checking process (${signal ?? `exit code ${code}`}), so it was refused: upload the .onnx file your exporter wrote.`,
    );
  }
}

function overMemory(fileName: string, limits: ModelCheckLimits): InvalidInput {
  return new InvalidInput(
    MODEL_CHECK_OUT_OF_MEMORY,
    `"${fileName}" needed more than ${limits.maxMemoryMb} MB of memory to open and run on the dataset (MODEL_CHECK_MAX_MEMORY_MB), so it was refused; every process serving it would need as much: export a smaller model, or ask an admin to raise MODEL_CHECK_MAX_MEMORY_MB.`,
  );
}

/**
 * RLIMIT_AS on the running child: the cap that native allocations (onnxruntime's) cannot pass, unlike
 * V8's heap limit. Without it the check does not run: refusing is safer than an uncapped check.
 */
async function capAddressSpace(pid: number, bytes: number): Promise<void> {
  try {
    await run('prlimit', ['--pid', String(pid), `--as=${Math.floor(bytes)}`]);
  } catch (error) {
    throw new Unavailable(
      'onnx.check_unavailable',
      "Uploaded models cannot be checked on this server: capping the checking process's memory needs the prlimit command (util-linux). Ask an admin to install it.",
      undefined,
      { cause: error },
    );
  }
}

/** The child's next message, or undefined when it ended first. */
function nextMessage<T>(child: ChildProcess, ended: Promise<unknown>): Promise<T | undefined> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => resolve(message as T);
    child.once('message', onMessage);
    void ended.then(() => {
      child.off('message', onMessage);
      resolve(undefined);
    });
  });
}

function pick(env: NodeJS.ProcessEnv, keys: readonly string[]): NodeJS.ProcessEnv {
  return Object.fromEntries(keys.flatMap((key) => (env[key] === undefined ? [] : [[key, env[key]]])));
}

function short(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
