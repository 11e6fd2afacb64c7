/** One sync log row as its writers give it (write.ts stores it). */
import type { TracedRequest } from '../lib/request-trace.ts';
import type { FieldChange } from './diff.ts';

export type SyncStatus = 'queued' | 'done' | 'skipped' | 'conflict' | 'retrying' | 'failed';

export interface SyncLogInput {
  /** Contact object key + work id; the same key updates the same row. */
  workKey?: string;
  trigger: string;
  action: string;
  objectKind: string;
  objectId?: string | null;
  contactId?: string | null;
  connectionId?: string | null;
  status: SyncStatus;
  attempts?: number;
  error?: string | null;
  detail?: unknown;
  /** What the row is about in a few words (subject.ts). */
  subject?: string | null;
  /** The contact's name as the contact's object knows it. */
  contactName?: string | null;
  /** The GHL and partner requests of this try (added to the row's earlier tries: tries.ts). */
  requests?: TracedRequest[];
  /** What the write changed, field by field. */
  diff?: FieldChange[] | null;
}
