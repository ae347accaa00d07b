import { Worker } from 'node:worker_threads';
import type { DomainError } from '../errors/domain-error.js';
import { Forbidden, InvalidInput, NotFound } from '../errors/domain-error.js';
import type { FitOutcome, FitRequest } from './fit-pipeline.js';
import type { SearchStep } from './search/search-report.js';

export type FitMessage =
  | { type: 'iteration'; iteration: number; maxIterations: number; objective: number }
  | { type: 'search'; step: SearchStep }
  | { type: 'done'; outcome: FitOutcome }
  | { type: 'domain-error'; kind: string; code: string; message: string };

/**
 * Called after solver iterations with the latest one (calls never overlap: iterations finishing
 * meanwhile are folded into the next call; the last one is always reported). Throwing stops the fit:
 * the thread is terminated and the error rethrown.
 */
export type IterationReporter = (iteration: number, maxIterations: number) => Promise<void>;

/** Called before the folds of a hyperparameter search, as IterationReporter is (latest only; throwing stops). */
export type SearchReporter = (step: SearchStep) => Promise<void>;

const DOMAIN_ERRORS: Record<string, new (code: string, message: string) => DomainError> = {
  InvalidInput,
  NotFound,
  Forbidden,
};

/**
 * Runs `fitPipeline` in a worker thread so the process's event loop stays free: the job queue keeps
 * heart-beating (a long fit is not mistaken for a dead worker) and progress and cancellation are
 * handled between iterations.
 */
export function fitInThread(
  request: FitRequest,
  report: IterationReporter = async () => undefined,
  reportSearch: SearchReporter = async () => undefined,
): Promise<FitOutcome> {
  return new Promise<FitOutcome>((resolve, reject) => {
    const worker = new Worker(new URL('./fit-thread.js', import.meta.url), { workerData: request });
    let settled = false;
    let finished = false;
    const settle = (error: unknown, outcome?: FitOutcome) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the thread's or the reporter's error, as it came
      if (error) reject(error);
      else resolve(outcome!);
    };
    // Reports run one after another; iterations (or search folds) that finish meanwhile fold into the next report.
    let pending: (() => Promise<void>) | undefined;
    let queued = false;
    let reports = Promise.resolve();
    const reportLatest = () => {
      if (queued) return reports;
      queued = true;
      reports = reports
        .then(async () => {
          queued = false;
          const latest = pending;
          pending = undefined;
          if (latest && !settled) await latest();
        })
        .catch((error: unknown) => settle(error));
      return reports;
    };
    worker.on('message', (message: FitMessage) => {
      if (message.type === 'iteration') {
        pending = () => report(message.iteration, message.maxIterations);
        void reportLatest();
      } else if (message.type === 'search') {
        pending = () => reportSearch(message.step);
        void reportLatest();
      } else if (message.type === 'done') {
        // The last iteration is always reported before the outcome is handed over.
        finished = true;
        void reportLatest().then(() => settle(undefined, message.outcome));
      } else {
        const Kind = DOMAIN_ERRORS[message.kind] ?? InvalidInput;
        settle(new Kind(message.code, message.message));
      }
    });
    worker.on('error', (error) => settle(error));
    worker.on(
      'exit',
      (code) => finished || settle(new Error(`The training thread exited (code ${code}) before it finished.`)),
    );
  });
}
