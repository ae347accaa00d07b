import type { ApiHandler } from './http-types.js';
import { HttpProblem } from './problem.js';

/**
 * Sheds load instead of queueing without bound: at most `max` API requests in progress per process
 * (counted from arrival to the end of the answer, slow uploads included); the next one is answered 503
 * with Retry-After at once, before its body is read, so memory and latency stay bounded past capacity.
 */
export function shedLoad(max: number): ApiHandler {
  let inFlight = 0;
  return (_req, res, next) => {
    if (inFlight >= max) {
      return next(
        new HttpProblem(
          503,
          'overloaded',
          `This server is answering ${max} API requests already: retry in a second (or spread the load over more web processes).`,
          undefined,
          { 'Retry-After': '1' },
        ),
      );
    }
    inFlight += 1;
    res.once('close', () => (inFlight -= 1));
    next();
  };
}
