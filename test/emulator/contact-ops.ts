import type { Emu } from './context.ts';
import { badRequest } from './errors.ts';
import { contactEvent } from './events.ts';
import { newId, nowIso } from './ids.ts';
import type { Contact, DndChannel } from './state.ts';
import { contactName } from './views.ts';

export type ContactInput = Record<string, unknown>;

const TEXT_FIELDS = [
  'firstName',
  'lastName',
  'name',
  'email',
  'phone',
  'companyName',
  'address1',
  'city',
  'state',
  'country',
  'postalCode',
  'website',
  'timezone',
  'gender',
  'source',
  'assignedTo',
  'dateOfBirth',
] as const;

/** GHL stores phones in E.164; a bare 10-digit number is taken as North American. */
export function normalizePhone(raw: string): string {
  const digits = raw.replace(/\D/g, '');
  if (!digits) return raw;
  if (raw.trim().startsWith('+')) return `+${digits}`;
  if (digits.length === 10) return `+1${digits}`;
  return `+${digits}`;
}

/** GHL keeps tags lowercase and trimmed. */
export function normalizeTags(tags: unknown[]): string[] {
  const out: string[] = [];
  for (const t of tags) {
    const tag = String(t).trim().toLowerCase();
    if (tag && !out.includes(tag)) out.push(tag);
  }
  return out;
}

function applyFields(contact: Contact, input: ContactInput): void {
  for (const key of TEXT_FIELDS) {
    if (!(key in input)) continue;
    const value = input[key];
    if (value === null || value === undefined || value === '') {
      delete contact[key];
    } else {
      contact[key] = key === 'phone' ? normalizePhone(String(value)) : String(value);
    }
  }
  if (typeof input.dnd === 'boolean') contact.dnd = input.dnd;
  if (input.dndSettings && typeof input.dndSettings === 'object') {
    contact.dndSettings = { ...contact.dndSettings, ...(input.dndSettings as Record<string, DndChannel>) };
  }
  if (Array.isArray(input.tags)) contact.tags = normalizeTags(input.tags);
  if (Array.isArray(input.customFields)) {
    for (const raw of input.customFields as Record<string, unknown>[]) {
      const id = String(raw.id ?? raw.key ?? '');
      if (!id) continue;
      const value = raw.field_value ?? raw.value;
      contact.customFields = contact.customFields.filter((f) => f.id !== id);
      contact.customFields.push({ id, value });
    }
  }
  if (!('name' in input) && ('firstName' in input || 'lastName' in input)) delete contact.name;
}

/** The "allow duplicate contacts" setting is off, as it is by default in GHL. */
function assertNoDuplicate(emu: Emu, contact: Contact): void {
  for (const other of emu.state.contacts.values()) {
    if (other.locationId !== contact.locationId || other.id === contact.id) continue;
    const emailMatch = contact.email && other.email?.toLowerCase() === contact.email.toLowerCase();
    const phoneMatch = contact.phone && other.phone === contact.phone;
    if (emailMatch || phoneMatch) {
      throw badRequest('This location does not allow duplicated contacts.', {
        meta: {
          contactName: contactName(other),
          contactId: other.id,
          matchingField: emailMatch ? 'email' : 'phone',
        },
      });
    }
  }
}

export function findDuplicate(
  emu: Emu,
  locationId: string,
  email?: string,
  phone?: string,
): Contact | undefined {
  const contacts = [...emu.state.contacts.values()].filter((c) => c.locationId === locationId);
  if (email) {
    const hit = contacts.find((c) => c.email?.toLowerCase() === email.toLowerCase());
    if (hit) return hit;
  }
  if (phone) {
    const normalized = normalizePhone(phone);
    return contacts.find((c) => c.phone === normalized);
  }
  return undefined;
}

/** Creates without events; seeding uses this directly. */
export function buildContact(
  emu: Emu,
  locationId: string,
  input: ContactInput,
  when = nowIso(),
  id = newId(),
): Contact {
  const contact: Contact = {
    id,
    locationId,
    dnd: false,
    type: 'lead',
    tags: [],
    customFields: [],
    dateAdded: when,
    dateUpdated: when,
  };
  applyFields(contact, input);
  assertNoDuplicate(emu, contact);
  emu.state.contacts.set(contact.id, contact);
  return contact;
}

export function createContact(emu: Emu, locationId: string, input: ContactInput): Contact {
  const contact = buildContact(emu, locationId, input);
  emu.webhooks.emitLocationEvent(locationId, 'ContactCreate', contactEvent(contact));
  return contact;
}

export function updateContact(emu: Emu, contact: Contact, input: ContactInput): Contact {
  const next: Contact = structuredClone(contact);
  applyFields(next, input);
  assertNoDuplicate(emu, next);
  next.dateUpdated = nowIso();
  const tagsChanged = next.tags.join('\n') !== contact.tags.join('\n');
  Object.assign(contact, next);
  for (const key of TEXT_FIELDS) if (!(key in next)) delete contact[key];
  emu.webhooks.emitLocationEvent(contact.locationId, 'ContactUpdate', contactEvent(contact));
  if (tagsChanged)
    emu.webhooks.emitLocationEvent(contact.locationId, 'ContactTagUpdate', contactEvent(contact));
  return contact;
}

export function upsertContact(
  emu: Emu,
  locationId: string,
  input: ContactInput,
): { contact: Contact; isNew: boolean } {
  const email = typeof input.email === 'string' ? input.email : undefined;
  const phone = typeof input.phone === 'string' ? input.phone : undefined;
  const existing = findDuplicate(emu, locationId, email, phone);
  if (existing) return { contact: updateContact(emu, existing, input), isNew: false };
  return { contact: createContact(emu, locationId, input), isNew: true };
}

export function deleteContact(emu: Emu, contact: Contact): void {
  const { state } = emu;
  state.contacts.delete(contact.id);
  for (const [id, task] of state.tasks) if (task.contactId === contact.id) state.tasks.delete(id);
  for (const [id, note] of state.notes) if (note.contactId === contact.id) state.notes.delete(id);
  emu.webhooks.emitLocationEvent(contact.locationId, 'ContactDelete', contactEvent(contact));
}

export function changeTags(emu: Emu, contact: Contact, tags: unknown[], mode: 'add' | 'remove'): string[] {
  const given = normalizeTags(tags);
  const next =
    mode === 'add'
      ? normalizeTags([...contact.tags, ...given])
      : contact.tags.filter((t) => !given.includes(t));
  if (next.join('\n') !== contact.tags.join('\n')) {
    contact.tags = next;
    contact.dateUpdated = nowIso();
    emu.webhooks.emitLocationEvent(contact.locationId, 'ContactTagUpdate', contactEvent(contact));
  }
  return [...contact.tags];
}
