/**
 * A stand-in for the Workers runtime type that the sync-log modules the bench runs on Node (its
 * synclog section, on node:sqlite) name. The Node side's program does not load the Workers types
 * (`worker-configuration.d.ts`), whose globals clash with Node's.
 */
interface SqlStorageCursor<T> {
  toArray(): T[];
  one(): T;
  readonly rowsWritten: number;
}
interface SqlStorage {
  exec<T extends Record<string, unknown> = Record<string, unknown>>(
    query: string,
    ...bindings: unknown[]
  ): SqlStorageCursor<T>;
}
