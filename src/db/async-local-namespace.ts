import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';

/**
 * The continuation-local namespace Sequelize's CLS asks for (`run`, `bind`, `get`, `set`), on Node's
 * AsyncLocalStorage. cls-hooked, the usual choice, tracks every promise's destruction through an
 * async hook, which cost the predict endpoint ~8% of its CPU; AsyncLocalStorage does not.
 * `run` starts a context that sees the enclosing one's values and whose own `set`s stay inside it.
 */
export class AsyncLocalNamespace {
  private readonly storage = new AsyncLocalStorage<Map<string, unknown>>();

  run<T>(fn: (context: Map<string, unknown>) => T): T {
    const context = new Map(this.storage.getStore());
    return this.storage.run(context, () => fn(context));
  }

  bind<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    return AsyncResource.bind(fn);
  }

  get(key: string): unknown {
    return this.storage.getStore()?.get(key);
  }

  set<T>(key: string, value: T): T {
    this.storage.getStore()?.set(key, value);
    return value;
  }
}
