/** Shapes of the worker's `/api/*` answers (DESIGN.md §4). GHL field names are kept as-is. */

export interface SessionUser {
  id: string;
  name: string;
  email: string;
  role: string;
}

export interface Session {
  token: string;
  /** Epoch milliseconds; 0 when the worker did not say. */
  expiresAt: number;
  user: SessionUser;
  locationId: string;
  companyId: string;
  installStatus?: string;
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
  raw?: Record<string, unknown>;
}

export interface Timeline {
  items: TimelineItem[];
  contact: Contact | null;
  freshness?: unknown;
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

export type ContactPatch = Partial<Pick<Contact, 'firstName' | 'lastName' | 'email' | 'phone' | 'companyName'>>;

export interface SyncLogEntry {
  id: string | number;
  at: string | number;
  trigger?: string;
  action?: string;
  objectKind?: string;
  objectId?: string;
  contactId?: string | null;
  status: string;
  attempts?: number;
  error?: string | null;
}

export interface SyncLogPage {
  entries: SyncLogEntry[];
  nextCursor: string | null;
  health?: unknown;
}
