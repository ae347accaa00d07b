import type { Classifier, ClassifierInputs } from '../onnx-classifier.js';
import { featureWidth } from '../onnx-classifier.js';

interface Waiting {
  inputs: ClassifierInputs;
  rows: number;
  resolve(probabilities: Float32Array): void;
  reject(error: unknown): void;
}

export interface MicroBatcherOptions {
  /** Rows per `run` at most; a request larger than this runs in pieces, yielding between them. */
  maxRows: number;
}

/**
 * One classifier's queue. Requests that arrive while the event loop is busy (the same tick, or while
 * a run is going) are answered by one `session.run` over all their rows: with many small concurrent
 * requests, the cost of a run (~10 µs) is paid once per batch instead of once per request. Nothing
 * waits on a timer: the batch runs at the next `setImmediate`, so a lone request is not delayed.
 * A run holds the thread, so big inputs are cut into `maxRows` pieces with a yield in between.
 */
export class MicroBatcher {
  private queue: Waiting[] = [];
  private scheduled = false;
  private readonly width: number;
  private readonly k: number;

  constructor(
    private readonly classifier: Classifier,
    private readonly options: MicroBatcherOptions,
  ) {
    this.width = featureWidth(classifier.signature);
    this.k = classifier.signature.labels.length;
  }

  /** Closes the onnxruntime session (after the queue has drained). */
  release(): Promise<void> {
    return this.classifier.release();
  }

  /** The probabilities (rows × labels, row-major) for `inputs`. */
  predict(inputs: ClassifierInputs): Promise<Float32Array> {
    const rows = inputs instanceof Float32Array ? inputs.length / this.width : inputs.length;
    return new Promise((resolve, reject) => {
      this.queue.push({ inputs, rows, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.take();
      try {
        const probabilities = await this.run(batch);
        let at = 0;
        for (const waiting of batch) {
          waiting.resolve(probabilities.slice(at * this.k, (at + waiting.rows) * this.k));
          at += waiting.rows;
        }
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
      if (this.queue.length > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.scheduled = false;
  }

  /** Requests from the head of the queue up to maxRows rows (at least one request). */
  private take(): Waiting[] {
    let rows = 0;
    let n = 0;
    while (n < this.queue.length && (n === 0 || rows + this.queue[n]!.rows <= this.options.maxRows)) {
      rows += this.queue[n]!.rows;
      n += 1;
    }
    return this.queue.splice(0, n);
  }

  private async run(batch: readonly Waiting[]): Promise<Float32Array> {
    const rows = batch.reduce((sum, w) => sum + w.rows, 0);
    if (batch.length === 1 && rows <= this.options.maxRows)
      return (await this.classifier.predict(batch[0]!.inputs)).probabilities;
    const inputs = concat(
      batch.map((w) => w.inputs),
      rows * this.width,
    );
    if (rows <= this.options.maxRows) return (await this.classifier.predict(inputs)).probabilities;
    // One request bigger than a batch: pieces with yields, so other requests are not held up.
    const out = new Float32Array(rows * this.k);
    for (let start = 0; start < rows; start += this.options.maxRows) {
      const end = Math.min(rows, start + this.options.maxRows);
      const piece =
        inputs instanceof Float32Array
          ? inputs.subarray(start * this.width, end * this.width)
          : inputs.slice(start, end);
      out.set((await this.classifier.predict(piece)).probabilities, start * this.k);
      if (end < rows) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return out;
  }
}

function concat(parts: readonly ClassifierInputs[], floats: number): ClassifierInputs {
  if (parts[0] instanceof Float32Array) {
    const out = new Float32Array(floats);
    let at = 0;
    for (const part of parts as Float32Array[]) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
  return (parts as ReadonlyArray<readonly string[]>).flat();
}
