/**
 * An error the person acting can do something about. `code` is stable (tests and clients match
 * on it); `message` says what was wrong and what to do. Domain errors carry no HTTP status: each
 * edge (console, API, CLI, worker) maps them once.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly fields?: Readonly<Record<string, string>>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class InvalidInput extends DomainError {}
/** No valid credentials (HTTP 401): sign in, or send a valid API key. */
export class Unauthenticated extends DomainError {}
export class NotFound extends DomainError {}
/** It was there and is deleted (soft, HTTP 410): the message says when, by whom and how it comes back. */
export class Gone extends NotFound {}
export class Forbidden extends DomainError {}
export class Conflict extends DomainError {}
export class Unavailable extends DomainError {}
/**
 * A model version misbehaved on valid input (e.g. answered NaN probabilities): the fault of the
 * model, not of the caller's request. The API answers 502 (the model is the upstream that failed).
 */
export class ModelFault extends DomainError {}
