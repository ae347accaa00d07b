import type { ApiHandler, ApiResponse } from '../http-types.js';
import { callerOf } from '../caller.js';
import { HttpProblem } from '../problem.js';
import type { SharedCounters, Verdict } from './shared-counters.js';

/**
 * Per client address, before authentication (so guessing keys is throttled too). Its headers are
 * replaced by the per-caller ones when that limit is checked as well.
 */
export function throttleByAddress(counters: SharedCounters, perMinute: number): ApiHandler {
  return (req, res, next) => {
    const verdict = counters.consume(`ip:${req.ip ?? 'unknown'}`, perMinute);
    setHeaders(res, verdict);
    if (!verdict.allowed)
      return next(tooMany(verdict, `Too many requests from your address (limit ${perMinute} per minute).`));
    next();
  };
}

/** Per API key (its own limit, else the default) or per signed-in user. */
export function throttleByCaller(counters: SharedCounters, defaultPerMinute: number): ApiHandler {
  return (_req, res, next) => {
    const caller = callerOf(res);
    const limit = caller.rateLimit ?? defaultPerMinute;
    const verdict = counters.consume(caller.limiterKey, limit);
    setHeaders(res, verdict);
    if (!verdict.allowed) {
      const who = caller.actor.type === 'api_key' ? `this API key (${caller.actor.prefix})` : 'your account';
      return next(tooMany(verdict, `Too many requests for ${who}: the limit is ${limit} per minute.`));
    }
    next();
  };
}

/** IETF RateLimit header fields (draft 6, as most clients read them) and the policy. */
function setHeaders(res: ApiResponse, verdict: Verdict): void {
  res.setHeader('RateLimit-Policy', `${verdict.limit};w=60`);
  res.setHeader('RateLimit-Limit', String(verdict.limit));
  res.setHeader('RateLimit-Remaining', String(verdict.remaining));
  res.setHeader('RateLimit-Reset', String(verdict.resetSeconds));
}

function tooMany(verdict: Verdict, message: string): HttpProblem {
  return new HttpProblem(429, 'rate_limited', `${message} Try again in ${verdict.retryAfterSeconds} s.`, undefined, {
    'Retry-After': String(verdict.retryAfterSeconds),
  });
}
