import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventEmitter } from 'node:events';

/** Where a request came from; services read it for the audit log instead of taking parameters. */
export interface RequestContext {
  requestId: string;
  ip?: string;
  userAgent?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

/**
 * Runs every listener of `emitter` (a request or response) in `context`. A request's body arrives on
 * its socket's events, which run in the context the connection was opened in, not the one the
 * request entered: a body parser that continues from 'data'/'end' (formidable on the login form,
 * express.json) would go on without the request's id and address. Seen when a script sent its body
 * after the headers: its sign-ins were audited without address and never throttled by it.
 */
export function bindToRequestContext(emitter: EventEmitter, context: RequestContext): void {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- applied below to the emitter it came from
  const emit = emitter.emit;
  emitter.emit = function emitInRequestContext(this: EventEmitter, ...args: Parameters<EventEmitter['emit']>) {
    return storage.getStore() === context ? emit.apply(this, args) : storage.run(context, () => emit.apply(this, args));
  };
}

/** `::ffff:127.0.0.1` → `127.0.0.1`: one spelling per address, as Postgres' inet prints it. */
export function normaliseIp(ip: string | undefined): string | undefined {
  if (!ip) return undefined;
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}
