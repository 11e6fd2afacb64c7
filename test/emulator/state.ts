import { newId, objectId } from './ids.ts';

export interface ClientInput {
  clientId: string;
  clientSecret: string;
  sharedSecret: string;
  webhookUrl?: string;
}

export interface Client extends ClientInput {
  appId: string;
  versionId: string;
}

export interface Company {
  id: string;
  name: string;
  dateAdded: string;
}

export interface User {
  id: string;
  companyId: string;
  firstName: string;
  lastName: string;
  email: string;
  role: 'admin' | 'user';
  /** Agency users see every location of the company; account users only `locationIds`. */
  type: 'agency' | 'account';
  locationIds: string[];
}

export interface Location {
  id: string;
  companyId: string;
  name: string;
  address: string;
  city: string;
  state: string;
  country: string;
  postalCode: string;
  timezone: string;
  email: string;
  phone: string;
  website: string;
  dateAdded: string;
}

export interface Calendar {
  id: string;
  locationId: string;
  groupId: string;
  name: string;
  slotDurationMin: number;
  /** Minutes between slot starts. */
  slotIntervalMin: number;
  /** GHL's `openHours`: weekdays (0 = Sunday) and hours, in the location's time zone. */
  openHours: { daysOfTheWeek: number[]; hours: OpenHours[] }[];
  teamUserIds: string[];
}

export interface OpenHours {
  openHour: number;
  openMinute: number;
  closeHour: number;
  closeMinute: number;
}

/** Monday to Friday, 9:00 to 17:00: a new calendar's open hours. */
export const WEEKDAY_OFFICE_HOURS: Calendar['openHours'] = [
  { daysOfTheWeek: [1, 2, 3, 4, 5], hours: [{ openHour: 9, openMinute: 0, closeHour: 17, closeMinute: 0 }] },
];

export interface DndChannel {
  status: 'active' | 'inactive' | 'permanent';
  message?: string;
  code?: string;
}

export interface Contact {
  id: string;
  locationId: string;
  firstName?: string;
  lastName?: string;
  name?: string;
  email?: string;
  phone?: string;
  companyName?: string;
  address1?: string;
  city?: string;
  state?: string;
  country?: string;
  postalCode?: string;
  website?: string;
  timezone?: string;
  gender?: string;
  dnd: boolean;
  dndSettings?: Record<string, DndChannel>;
  type: string;
  source?: string;
  assignedTo?: string;
  tags: string[];
  dateOfBirth?: string;
  customFields: { id: string; value: unknown }[];
  businessId?: string;
  dateAdded: string;
  dateUpdated: string;
}

export interface Task {
  id: string;
  locationId: string;
  contactId: string;
  title: string;
  body?: string;
  assignedTo?: string;
  dueDate: string;
  completed: boolean;
  dateAdded: string;
  dateUpdated: string;
}

export interface Note {
  id: string;
  locationId: string;
  contactId: string;
  body: string;
  userId?: string;
  title?: string;
  color?: string;
  pinned?: boolean;
  dateAdded: string;
  dateUpdated: string;
}

export interface Appointment {
  id: string;
  locationId: string;
  calendarId: string;
  groupId: string;
  contactId: string;
  title: string;
  appointmentStatus: string;
  assignedUserId: string;
  users: string[];
  notes?: string;
  description?: string;
  address?: string;
  meetingLocationType?: string;
  source: string;
  startTime: string;
  endTime: string;
  createdBy: { userId?: string; source: string };
  dateAdded: string;
  dateUpdated: string;
}

export type UserType = 'Location' | 'Company';

export interface Install {
  clientId: string;
  companyId: string;
  locationId: string;
  installedAt: string;
}

export interface CompanyInstall {
  clientId: string;
  companyId: string;
  approveAllLocations: boolean;
  installToFutureLocations: boolean;
  installedAt: string;
}

/** What a token stands for: an app acting on a location or on a company. */
export interface Grant {
  clientId: string;
  userType: UserType;
  companyId: string;
  locationId?: string;
  userId: string;
  scope: string;
}

export interface AccessToken extends Grant {
  token: string;
  expiresAt: number;
  revoked: boolean;
}

export interface RefreshToken extends Grant {
  token: string;
  status: 'active' | 'used' | 'revoked';
}

export interface AuthCode extends Grant {
  code: string;
  used: boolean;
  expiresAt: number;
  isBulkInstallation: boolean;
  approveAllLocations: boolean;
  /** Runs once, after the code is exchanged (INSTALL webhooks in the "after" mode). */
  onRedeem?: () => void;
}

export const DEFAULT_SCOPE = [
  'contacts.readonly',
  'contacts.write',
  'calendars.readonly',
  'calendars/events.readonly',
  'calendars/events.write',
  'locations.readonly',
  'locations/tasks.readonly',
  'oauth.readonly',
  'oauth.write',
  'users.readonly',
  'workflows.readonly',
].join(' ');

export class State {
  readonly clients = new Map<string, Client>();
  readonly companies = new Map<string, Company>();
  readonly users = new Map<string, User>();
  readonly locations = new Map<string, Location>();
  readonly calendars = new Map<string, Calendar>();
  readonly contacts = new Map<string, Contact>();
  readonly tasks = new Map<string, Task>();
  readonly notes = new Map<string, Note>();
  readonly appointments = new Map<string, Appointment>();
  /** key `${clientId}|${locationId}` */
  readonly installs = new Map<string, Install>();
  /** key `${clientId}|${companyId}` */
  readonly companyInstalls = new Map<string, CompanyInstall>();
  readonly accessTokens = new Map<string, AccessToken>();
  readonly refreshTokens = new Map<string, RefreshToken>();
  readonly codes = new Map<string, AuthCode>();

  upsertClient(input: ClientInput): Client {
    const existing = this.clients.get(input.clientId);
    const client: Client = {
      ...existing,
      ...input,
      appId: input.clientId.split('-')[0] ?? input.clientId,
      versionId: existing?.versionId ?? objectId(),
    };
    this.clients.set(client.clientId, client);
    return client;
  }

  firstClient(): Client | undefined {
    return this.clients.values().next().value;
  }

  isInstalled(clientId: string, locationId: string): boolean {
    return this.installs.has(`${clientId}|${locationId}`);
  }

  /** Apps to notify about a change in this location: installed there and with a webhook URL. */
  subscribers(locationId: string): Client[] {
    return [...this.clients.values()].filter((c) => c.webhookUrl && this.isInstalled(c.clientId, locationId));
  }

  locationsOf(companyId: string): Location[] {
    return [...this.locations.values()].filter((l) => l.companyId === companyId);
  }

  /** An admin user of the location (or of its agency) to act as installer, SSO user or note author. */
  defaultUser(locationId: string): User | undefined {
    const location = this.locations.get(locationId);
    const users = [...this.users.values()];
    return (
      users.find((u) => u.type === 'account' && u.role === 'admin' && u.locationIds.includes(locationId)) ??
      users.find((u) => u.type === 'agency' && u.companyId === location?.companyId)
    );
  }

  agencyAdmin(companyId: string): User | undefined {
    return [...this.users.values()].find(
      (u) => u.companyId === companyId && u.type === 'agency' && u.role === 'admin',
    );
  }

  calendarOf(locationId: string): Calendar | undefined {
    return [...this.calendars.values()].find((c) => c.locationId === locationId);
  }

  addCompany(name: string, id = newId()): Company {
    const company: Company = { id, name, dateAdded: new Date().toISOString() };
    this.companies.set(id, company);
    return company;
  }
}
