import {
  Conflict,
  DomainError,
  Forbidden,
  Gone,
  InvalidInput,
  ModelFault,
  NotFound,
  Unauthenticated,
  Unavailable,
} from '../errors/domain-error.js';

/** Each kind of domain error's HTTP status: the one table of both HTTP edges (the API's problems, the console's JSON errors). */
const STATUS = new Map<unknown, number>([
  [InvalidInput, 400],
  [Unauthenticated, 401],
  [Forbidden, 403],
  [NotFound, 404],
  [Gone, 410],
  [Conflict, 409],
  // The model answered something that is not a number: the upstream's fault, not the caller's.
  [ModelFault, 502],
  [Unavailable, 503],
]);

/** The status of a domain error's kind; a subclass (e.g. the API's RouteForbidden) answers as its kind does. */
export function httpStatusOf(error: DomainError): number {
  for (
    let kind: unknown = error.constructor;
    typeof kind === 'function' && kind !== DomainError;
    kind = Object.getPrototypeOf(kind)
  ) {
    const status = STATUS.get(kind);
    if (status !== undefined) return status;
  }
  return 400;
}
