/** What a fired trigger knows, as recipes read it (conditions, `{{…}}` in inputs). Pure types. */

export interface ContactFacts {
  id: string;
  firstName?: string;
  lastName?: string;
  name?: string;
  email?: string;
  phone?: string;
  companyName?: string;
  source?: string;
  businessId?: string;
  tags?: string[];
  customFields?: Record<string, unknown>;
}

export interface AppointmentFacts {
  id: string;
  calendarId?: string;
  title?: string;
  startTime?: string;
  endTime?: string;
  status?: string;
  source?: string;
  notes?: string;
}

export interface TriggerData {
  contact?: ContactFacts;
  appointment?: AppointmentFacts;
  /** The tag a tag trigger is about. */
  tag?: string;
  task?: { id: string; title?: string; dueDate?: string; completed?: boolean };
  note?: { id: string; body?: string };
  /** What the sync log said (sync triggers). */
  sync?: { action: string; objectKind: string; objectId?: string; error?: string; logId?: number };
  /** The partner connection a partner trigger came from. */
  connectionId?: string;
  [k: string]: unknown;
}

/** One occurrence of a catalog trigger for one contact. */
export interface TriggerEvent {
  trigger: string;
  /** Unique per occurrence: a recipe runs once per (recipe, key). */
  key: string;
  /** The object the occurrence is about (`appointment:<id>`), for stopping a recipe on it. */
  subject?: string;
  /** The object whose write caused this event (`task:<id>`, `tag:<name>`), for the loop guard. */
  object?: string;
  /** Sent from the panel's catalog as a test. */
  test?: boolean;
  data: TriggerData;
}
