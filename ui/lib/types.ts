/** Shapes of the worker's `/api/*` answers (docs/CONTRACT.md §4). GHL field names are kept as-is. */

export interface SessionUser {
  id: string;
  name: string;
  email: string;
  role: string;
}

export interface Session {
  token: string;
  /** ISO instant. */
  expiresAt: string;
  user: SessionUser;
  locationId: string;
  companyId: string;
  installStatus?: string;
  /** `agency`: opened from GHL's agency view (the agency console); no location then. */
  context?: 'location' | 'agency';
}

/** A user of the sub-account (`GET /api/users`): a task's assignee, a note's author. */
export interface User {
  id: string;
  name: string;
  email: string | null;
  role: string | null;
}

export interface Contact {
  id: string;
  name?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  phone?: string | null;
  companyName?: string | null;
  tags?: string[];
  dateUpdated?: string;
  [field: string]: unknown;
}

export interface ContactPage {
  contacts: Contact[];
  nextCursor: string | null;
}

export type TimelineKind = 'note' | 'task' | 'appointment';

export interface TimelineItem {
  kind: TimelineKind;
  id: string;
  /** A note's dateAdded, a task's dueDate, an appointment's startTime; null when GHL gave none. */
  at: string | null;
  title?: string | null;
  body?: string | null;
  status?: string | null;
  source?: 'ghl' | 'partner' | string;
  /** The partner connection it came from, when it did. */
  partner?: { connectionId: string; name: string; kind: string };
  /** The user who made a task or appointment in the panel (GHL records no author for them). */
  createdBy?: string;
  raw?: Record<string, unknown>;
}

/** ISO instants (null before the first fill), where the timeline came from, and what it cost. */
export interface Freshness {
  cachedAt: string | null;
  updatedAt: string | null;
  source: string;
  ghlCalls: number;
}

export interface Timeline {
  items: TimelineItem[];
  contact: Contact;
  freshness: Freshness;
}

export interface NoteInput {
  body: string;
  title?: string;
  pinned?: boolean;
}

export interface TaskInput {
  title: string;
  body: string;
  dueDate: string;
  completed: boolean;
  /** `null` clears the assignee. */
  assignedTo?: string | null;
}

export type ContactPatch = Partial<
  Pick<Contact, 'firstName' | 'lastName' | 'email' | 'phone' | 'companyName'>
>;

/** One unit of sync work (worker/sync-log/read.ts). */
export interface SyncLogEntry {
  id: number;
  /** ISO instant. */
  at: string;
  trigger: string;
  action: string;
  objectKind: string;
  objectId: string | null;
  contactId: string | null;
  status: string;
  attempts: number;
  error: string | null;
  updatedAt?: string;
  connectionId?: string | null;
  /** What the row is about ("Consultation"). */
  subject?: string | null;
  contactName?: string | null;
  /** An echo of our own write or a change that changed nothing. */
  quiet?: boolean;
  detail?: unknown;
  /** The GHL and partner requests of the last try. */
  requests?: SyncRequest[];
  /** Every kept try's requests, oldest first (the last few; `earlierTries` were dropped). */
  tries?: SyncTry[];
  earlierTries?: number;
  /** What the write changed, field by field. */
  diff?: { field: string; before: unknown; after: unknown }[];
  /** Replay takes it (failed sync work, not a recipe's write at a connected app). */
  replayable?: boolean;
}

export interface SyncTry {
  attempt: number;
  at: string;
  status: string;
  error?: string;
  requests: SyncRequest[];
}

export interface SyncRequest {
  side: 'ghl' | 'partner';
  method: string;
  path: string;
  status: number | null;
  ms: number;
  requestBody?: string;
  responseBody?: string;
  error?: string;
}

export interface SyncLogPage {
  entries: SyncLogEntry[];
  nextCursor: string | null;
  /** Location-wide figures; each connection's health comes with `/api/connections`. */
  health: { inboxBacklog: number };
}
