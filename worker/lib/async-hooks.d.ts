/** The part of `node:async_hooks` workerd provides under nodejs_compat that the worker uses. */
declare module 'node:async_hooks' {
  export class AsyncLocalStorage<T> {
    run<R>(store: T, fn: () => R): R;
    getStore(): T | undefined;
  }
}
