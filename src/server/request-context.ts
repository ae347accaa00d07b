import { AsyncLocalStorage } from 'node:async_hooks';

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

/** `::ffff:127.0.0.1` → `127.0.0.1`: one spelling per address, as Postgres' inet prints it. */
export function normaliseIp(ip: string | undefined): string | undefined {
  if (!ip) return undefined;
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}
