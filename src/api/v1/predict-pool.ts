import { Piscina } from 'piscina';
import { ModelFault } from '../../errors/domain-error.js';
import { HttpProblem } from '../problem.js';
import type { LargePredictResult, LargePredictTask, SampledRows } from './predict-thread.js';

/**
 * Worker threads for large predict requests: onnxruntime's `run` and the parsing and validation of
 * a body of hundreds of instances hold whatever thread does them, so a web process hands such bodies
 * to these threads and keeps answering small requests meanwhile. Each thread opens its own
 * onnxruntime session per version (from bytes shared with the web thread, not copied).
 */
export class PredictPool {
  private readonly pool: Piscina<LargePredictTask, LargePredictResult>;

  constructor(threads: number) {
    // A bounded queue: past it, large requests are refused (503) rather than piling up in memory.
    this.pool = new Piscina({
      filename: new URL('./predict-thread.js', import.meta.url).href,
      minThreads: 0,
      maxThreads: threads,
      idleTimeout: 60_000,
      maxQueue: 32 * threads,
    });
  }

  /** The predictions as JSON text, or throws the request's problem (400 with field paths, …) or the model's fault (ModelFault). */
  async predict(task: LargePredictTask): Promise<{ predictions: string; rows: number; sampled: SampledRows | null }> {
    if (this.pool.queueSize >= this.pool.options.maxQueue) {
      throw new HttpProblem(
        503,
        'overloaded',
        'Too many large predict requests are waiting: retry in a second, or send smaller batches.',
        undefined,
        { 'Retry-After': '1' },
      );
    }
    const result = await this.pool.run(task);
    if (result.ok) return result;
    if ('fault' in result) throw new ModelFault(result.fault.code, result.fault.message, result.fault.fields);
    throw new HttpProblem(result.problem.status, result.problem.code, result.problem.message, result.problem.errors);
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}
