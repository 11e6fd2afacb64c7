/**
 * Idempotency keys for the panel's creates. A key stands for one user action: sending the same
 * content again (the user retries after an error, or reopens the form and saves it again) reuses
 * it, so the worker can hand back what the first try made instead of making a second. Once the
 * create succeeded, the next one is a new action with a new key, even with the same content.
 */
export class ActionKeys {
  private current: { content: string; key: string } | null = null;
  private readonly newKey: () => string;

  constructor(newKey: () => string = () => crypto.randomUUID()) {
    this.newKey = newKey;
  }

  /** The key for sending `content`: the pending action's key when the content is the same. */
  keyFor(content: unknown): string {
    const text = stableJson(content);
    if (this.current?.content !== text) this.current = { content: text, key: this.newKey() };
    return this.current.key;
  }

  /** The action succeeded: the next create is a new one. */
  done(key: string): void {
    if (this.current?.key === key) this.current = null;
  }

  /** Sends `content` under its action's key and closes the action when the create succeeds. */
  async run<T>(content: unknown, create: (key: string) => Promise<T>): Promise<T> {
    const key = this.keyFor(content);
    const result = await create(key);
    this.done(key);
    return result;
  }
}

/** JSON with object keys sorted, so the same content always reads the same. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
