/**
 * Thrown by an action that wrote nothing on purpose (the location's dry run): its step ends
 * `skipped` with the reason and what it would have written, not failed and not retried.
 */
export class StepSkipped extends Error {
  readonly detail: Record<string, unknown>;

  constructor(reason: string, detail: Record<string, unknown>) {
    super(reason);
    this.name = 'StepSkipped';
    this.detail = { reason, ...detail };
  }
}
