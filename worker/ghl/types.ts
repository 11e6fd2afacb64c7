/** GHL objects as the Contacts and Calendars APIs return them. Fields we read. */
export interface GhlContact {
  id: string;
  locationId: string;
  firstName?: string | null;
  lastName?: string | null;
  name?: string | null;
  contactName?: string | null;
  email?: string | null;
  phone?: string | null;
  companyName?: string | null;
  tags?: string[];
  dateAdded?: string;
  dateUpdated?: string;
  customFields?: { id: string; value?: unknown }[];
  [k: string]: unknown;
}

export interface GhlTask {
  id: string;
  title: string;
  body?: string | null;
  assignedTo?: string | null;
  dueDate?: string | null;
  completed: boolean;
  contactId?: string;
  dateAdded?: string;
  dateUpdated?: string;
  [k: string]: unknown;
}

export interface GhlNote {
  id: string;
  body: string;
  title?: string | null;
  userId?: string | null;
  dateAdded?: string;
  contactId?: string;
  pinned?: boolean;
  color?: string;
  [k: string]: unknown;
}

export interface GhlAppointment {
  id: string;
  calendarId?: string;
  locationId?: string;
  contactId?: string;
  title?: string | null;
  status?: string;
  appointmentStatus?: string;
  startTime?: string;
  endTime?: string;
  notes?: string | null;
  address?: string | null;
  dateAdded?: string;
  dateUpdated?: string;
  [k: string]: unknown;
}
