import { createAppointment, createNote, createTask } from './activity-ops.ts';
import { buildContact, type ContactInput } from './contact-ops.ts';
import type { Emu } from './context.ts';
import {
  COMPANIES,
  DEMO_AGENCY,
  DEMO_LOCATIONS,
  EMAIL_DOMAINS,
  FIRST_NAMES,
  LAST_NAMES,
  type DemoLocationSpec,
} from './demo-data.ts';
import { newId, seededRandom } from './ids.ts';
import { WEEKDAY_OFFICE_HOURS, type Contact, type Location, type User } from './state.ts';

export interface SeedLocationInput {
  id?: string;
  name?: string;
  contacts?: number | ContactInput[];
}

export interface SeedInput {
  companyId?: string;
  companyName?: string;
  locations?: SeedLocationInput[];
}

export interface SeededLocation {
  id: string;
  name: string;
  calendarId: string;
  userIds: string[];
  contactIds: string[];
}

type Random = () => number;
const DAY = 86_400_000;
const pick = <T>(random: Random, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

function addUser(
  emu: Emu,
  random: Random,
  companyId: string,
  [firstName, lastName]: [string, string],
  role: User['role'],
  type: User['type'],
  domain: string,
  locationIds: string[],
): User {
  const user: User = {
    id: newId(random),
    companyId,
    firstName,
    lastName,
    role,
    type,
    locationIds,
    email: `${firstName}.${lastName}@${domain}`.toLowerCase(),
  };
  emu.state.users.set(user.id, user);
  return user;
}

function addLocation(
  emu: Emu,
  random: Random,
  companyId: string,
  input: { id?: string; name: string },
  spec?: DemoLocationSpec,
): Location {
  const slug = input.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  const domain = `${slug}.example.com`;
  const location: Location = {
    id: input.id ?? newId(random),
    companyId,
    name: input.name,
    address: spec?.address ?? '100 Main St',
    city: spec?.city ?? 'Springfield',
    state: spec?.state ?? 'IL',
    country: 'US',
    postalCode: spec?.postalCode ?? '62701',
    timezone: spec?.timezone ?? 'America/Chicago',
    email: `hello@${domain}`,
    phone: `+1${spec?.areaCode ?? '217'}5550100`,
    website: spec?.website ?? `https://${domain}`,
    dateAdded: new Date(Date.now() - 400 * DAY).toISOString(),
  };
  emu.state.locations.set(location.id, location);
  const admin = addUser(
    emu,
    random,
    companyId,
    spec?.admin ?? ['Alex', 'Admin'],
    'admin',
    'account',
    domain,
    [location.id],
  );
  const user = addUser(emu, random, companyId, spec?.user ?? ['Casey', 'User'], 'user', 'account', domain, [
    location.id,
  ]);
  const calendarId = newId(random);
  emu.state.calendars.set(calendarId, {
    id: calendarId,
    locationId: location.id,
    groupId: newId(random),
    name: spec?.calendar ?? 'Main Calendar',
    slotDurationMin: 30,
    slotIntervalMin: 30,
    openHours: structuredClone(WEEKDAY_OFFICE_HOURS),
    teamUserIds: [admin.id, user.id],
  });
  return location;
}

/** A plausible contact that does not collide with the location's existing emails and phones. */
export function generateContact(random: Random, index: number, spec?: DemoLocationSpec): ContactInput {
  const firstName = pick(random, FIRST_NAMES);
  const lastName = pick(random, LAST_NAMES);
  const areaCode = spec?.areaCode ?? '312';
  const suffix = String(100 + index).padStart(4, '0');
  const tags = spec ? spec.tags.filter(() => random() < 0.22).slice(0, 3) : [];
  return {
    firstName,
    lastName,
    email: `${firstName}.${lastName}${index}@${pick(random, EMAIL_DOMAINS)}`.toLowerCase(),
    phone: `+1${areaCode}555${suffix}`,
    companyName: pick(random, COMPANIES),
    address1: spec ? `${100 + Math.floor(random() * 8900)} ${pick(random, spec.streets)}` : undefined,
    city: spec?.city,
    state: spec?.state,
    postalCode: spec?.postalCode,
    country: 'US',
    source: spec ? pick(random, spec.sources) : 'public api',
    tags,
  };
}

function ensureCompany(emu: Emu, random: Random, id: string | undefined, name: string, domain: string) {
  const existing = id ? emu.state.companies.get(id) : undefined;
  if (existing) return existing;
  const company = emu.state.addCompany(name, id ?? newId(random));
  addUser(emu, random, company.id, DEMO_AGENCY.admin, 'admin', 'agency', domain, []);
  return company;
}

function summary(emu: Emu, location: Location, contactIds: string[]): SeededLocation {
  const users = [...emu.state.users.values()].filter((u) => u.locationIds.includes(location.id));
  return {
    id: location.id,
    name: location.name,
    calendarId: emu.state.calendarOf(location.id)?.id ?? '',
    userIds: users.map((u) => u.id),
    contactIds,
  };
}

/** POST /_emulator/seed: companies, locations (with users and a calendar) and contacts, without webhooks. */
export function seed(
  emu: Emu,
  input: SeedInput,
  random: Random = Math.random,
): { companyId: string; locations: SeededLocation[] } {
  const company = ensureCompany(
    emu,
    random,
    input.companyId,
    input.companyName ?? 'Test Agency',
    'agency.example.com',
  );
  const locations = (input.locations ?? [{}]).map((spec, i) => {
    const location =
      (spec.id && emu.state.locations.get(spec.id)) ||
      addLocation(emu, random, company.id, { id: spec.id, name: spec.name ?? `Location ${i + 1}` });
    const existing = [...emu.state.contacts.values()].filter((c) => c.locationId === location.id).length;
    const inputs =
      typeof spec.contacts === 'number'
        ? Array.from({ length: spec.contacts }, (_, k) => generateContact(random, existing + k))
        : (spec.contacts ?? []);
    const contactIds = inputs.map((c) => buildContact(emu, location.id, c).id);
    return summary(emu, location, contactIds);
  });
  return { companyId: company.id, locations };
}

function backdate<T extends { dateAdded: string; dateUpdated: string }>(record: T, at: number): T {
  record.dateAdded = new Date(at).toISOString();
  record.dateUpdated = record.dateAdded;
  return record;
}

function seedActivity(
  emu: Emu,
  random: Random,
  contact: Contact,
  spec: DemoLocationSpec,
  users: User[],
): void {
  const now = Date.now();
  const noteCount = Math.floor(random() * 3);
  for (let n = 0; n < noteCount; n++) {
    const note = createNote(
      emu,
      contact,
      { body: pick(random, spec.notes), userId: pick(random, users).id },
      false,
    );
    backdate(note, now - Math.floor(random() * 60) * DAY - n * 3_600_000);
  }
  const taskCount = Math.floor(random() * 3);
  for (let t = 0; t < taskCount; t++) {
    const template = pick(random, spec.tasks);
    const completed = random() < 0.35;
    const due = now + (completed ? -1 : 1) * (1 + Math.floor(random() * 14)) * DAY;
    const task = createTask(
      emu,
      contact,
      { ...template, dueDate: new Date(due).toISOString(), completed, assignedTo: pick(random, users).id },
      false,
    );
    backdate(task, now - (3 + Math.floor(random() * 20)) * DAY);
  }
  const calendar = emu.state.calendarOf(contact.locationId)!;
  const appointmentCount = Math.floor(random() * 3);
  for (let a = 0; a < appointmentCount; a++) {
    const past = a === 0 && random() < 0.6;
    const day = new Date(now + (past ? -1 : 1) * (1 + Math.floor(random() * 21)) * DAY);
    day.setUTCHours(15 + Math.floor(random() * 7), random() < 0.5 ? 0 : 30, 0, 0);
    const appointment = createAppointment(
      emu,
      contact,
      {
        calendarId: calendar.id,
        title: pick(random, spec.appointments),
        startTime: day.toISOString(),
        appointmentStatus: past ? (random() < 0.85 ? 'showed' : 'noshow') : 'confirmed',
        assignedUserId: pick(random, users).id,
        address: spec.address,
      },
      false,
    );
    backdate(appointment, now - (2 + Math.floor(random() * 30)) * DAY);
  }
}

/** The Northwind demo agency: same company, location, user and contact ids on every start, so links stay valid. */
export function seedDemo(emu: Emu): { companyId: string; locations: SeededLocation[] } {
  const random = seededRandom(20_26);
  const company = ensureCompany(emu, random, undefined, DEMO_AGENCY.name, DEMO_AGENCY.domain);
  const now = Date.now();
  const locations = DEMO_LOCATIONS.map((spec) => {
    const location = addLocation(emu, random, company.id, { name: spec.name }, spec);
    const users = [...emu.state.users.values()].filter((u) => u.locationIds.includes(location.id));
    const contactIds: string[] = [];
    for (let i = 0; i < 25; i++) {
      const added = now - (120 - i * 4) * DAY;
      const contact = buildContact(
        emu,
        location.id,
        generateContact(random, i, spec),
        new Date(added).toISOString(),
        newId(random),
      );
      contact.assignedTo = pick(random, users).id;
      contactIds.push(contact.id);
      seedActivity(emu, random, contact, spec, users);
    }
    return summary(emu, location, contactIds);
  });
  return { companyId: company.id, locations };
}
