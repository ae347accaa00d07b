import { parentPort, workerData } from 'node:worker_threads';
import { DomainError } from '../errors/domain-error.js';
import { fitPipeline, type FitRequest } from './fit-pipeline.js';
import type { FitMessage } from './fit-in-thread.js';

/** Worker-thread entry: fits, posting each solver iteration and then the outcome (buffers transferred, not copied). */
const port = parentPort!;
const post = (message: FitMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
try {
  const outcome = fitPipeline(
    workerData as FitRequest,
    (iteration, maxIterations, objective) => post({ type: 'iteration', iteration, maxIterations, objective }),
    (step) => post({ type: 'search', step }),
  );
  post({ type: 'done', outcome }, [outcome.onnx.buffer as ArrayBuffer, outcome.probabilities.buffer as ArrayBuffer]);
} catch (error) {
  if (error instanceof DomainError)
    post({ type: 'domain-error', kind: error.name, code: error.code, message: error.message });
  else throw error; // reaches the parent as the worker's 'error' event, with its stack
}
