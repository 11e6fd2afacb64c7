import type { TriggerOperation } from './types.ts';

const contact = {
  id: 'contact_id',
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@example.com',
  phone: '+15550100',
  tags: ['lead'],
  source: 'website form',
  customFields: {},
};
const appointment = {
  id: 'appointment_id',
  calendarId: 'calendar_id',
  title: 'Intro call',
  startTime: '2026-12-08T10:00:00.000Z',
  endTime: '2026-12-08T10:30:00.000Z',
  status: 'confirmed',
  source: 'booking_widget',
};
const partnerBooking = { ...appointment, id: 'booking_uid', calendarId: undefined, source: undefined };

const t = (
  key: string,
  group: TriggerOperation['group'],
  label: string,
  description: string,
  sample: TriggerOperation['sample'],
): TriggerOperation => ({
  kind: 'trigger',
  key,
  group,
  label,
  description,
  scope:
    group === 'ghl' || group === 'schedule'
      ? key.includes('appointment')
        ? 'calendars/events.readonly'
        : 'contacts.readonly'
      : null,
  sample,
});

/**
 * Every trigger the runtime really fires (events.ts makes each of them): GHL webhooks the app
 * receives, and partner changes per connection.
 */
export const TRIGGERS: readonly TriggerOperation[] = [
  t('ghl.contact.created', 'ghl', 'Contact created', 'A contact was created in HighLevel.', { contact }),
  t('ghl.contact.updated', 'ghl', 'Contact updated', "A contact's details changed in HighLevel.", {
    contact,
  }),
  t('ghl.contact.tag_added', 'ghl', 'Tag added', 'A tag was put on a contact; the tag is in `tag`.', {
    contact,
    tag: 'qualified',
  }),
  t('ghl.contact.tag_removed', 'ghl', 'Tag removed', 'A tag was taken off a contact; the tag is in `tag`.', {
    contact,
    tag: 'lead',
  }),
  t(
    'ghl.appointment.booked',
    'ghl',
    'Appointment booked',
    'An appointment was booked in a HighLevel calendar.',
    { appointment },
  ),
  t('ghl.appointment.updated', 'ghl', 'Appointment changed', "An appointment's time or details changed.", {
    appointment,
  }),
  t('ghl.appointment.cancelled', 'ghl', 'Appointment cancelled', 'An appointment was cancelled or deleted.', {
    appointment: { ...appointment, status: 'cancelled' },
  }),
  t('ghl.appointment.no_show', 'ghl', 'No-show', 'An appointment was marked no-show.', {
    appointment: { ...appointment, status: 'noshow' },
  }),
  t('ghl.appointment.showed', 'ghl', 'Showed', 'An appointment was marked showed.', {
    appointment: { ...appointment, status: 'showed' },
  }),
  t('ghl.task.created', 'ghl', 'Task added', 'A task was added to a contact.', {
    task: { id: 'task_id', title: 'Call back', dueDate: appointment.startTime, completed: false },
  }),
  t('ghl.task.completed', 'ghl', 'Task completed', "A contact's task was completed.", {
    task: { id: 'task_id', title: 'Call back', completed: true },
  }),
  t('ghl.note.created', 'ghl', 'Note added', 'A note was added to a contact.', {
    note: { id: 'note_id', body: 'Met at the fair.' },
  }),
  t(
    'partner.booking.created',
    'partner',
    'Partner booking created',
    'A connected app (Cal.com, Appointlet, your app) reported a new booking.',
    { contact, appointment: partnerBooking, connectionId: 'connection_id' },
  ),
  t(
    'partner.booking.rescheduled',
    'partner',
    'Partner booking rescheduled',
    'A connected app moved a booking.',
    { contact, appointment: partnerBooking, connectionId: 'connection_id' },
  ),
  t(
    'partner.booking.cancelled',
    'partner',
    'Partner booking cancelled',
    'A connected app cancelled a booking.',
    { contact, appointment: { ...partnerBooking, status: 'cancelled' }, connectionId: 'connection_id' },
  ),
  t('partner.booking.no_show', 'partner', 'Partner no-show', 'A connected app marked the attendee absent.', {
    contact,
    appointment: { id: 'booking_uid' },
    connectionId: 'connection_id',
  }),
  t(
    'partner.contact.updated',
    'partner',
    'Partner contact created or updated',
    'A connected app reported a person created or changed.',
    { contact, connectionId: 'connection_id' },
  ),
  t(
    'partner.task.updated',
    'partner',
    'Partner task or deadline',
    'A connected app reported a task (a deadline) created or changed.',
    {
      contact,
      task: { id: 'partner_task', title: 'Send contract', dueDate: appointment.startTime, completed: false },
      connectionId: 'connection_id',
    },
  ),
  t(
    'partner.note.updated',
    'partner',
    'Partner note (meeting notes)',
    'A connected app reported a note, such as meeting notes.',
    { contact, note: { id: 'partner_note', body: 'Agreed next steps.' }, connectionId: 'connection_id' },
  ),
  t(
    'sync.conflict',
    'sync',
    'Sync conflict',
    'Both sides changed the same thing; the conflict policy decided (see the sync log).',
    {
      sync: {
        action: 'update contact in partner',
        objectKind: 'contact',
        objectId: 'contact_id',
        error: 'both sides changed email',
      },
      connectionId: 'connection_id',
    },
  ),
  t(
    'sync.failed',
    'sync',
    'Sync failed',
    'A change could not be synced and will not be retried (replay it from the sync log).',
    {
      sync: {
        action: 'create note in GHL',
        objectKind: 'note',
        objectId: 'note_id',
        error: 'GHL 422 validation',
      },
      connectionId: 'connection_id',
    },
  ),
  t(
    'sync.reconnect_needed',
    'sync',
    'Connection needs a reconnect',
    'A connected app stopped accepting our credentials; its changes wait for a reconnect.',
    {
      sync: {
        action: 'update contact in partner',
        objectKind: 'contact',
        error: 'The connection needs a reconnect',
      },
      connectionId: 'connection_id',
    },
  ),
  t(
    'schedule.daily',
    'schedule',
    'Every day',
    "Once a day at the recipe's time (UTC), for each contact with its tag or of its business.",
    { contact, schedule: { day: '2026-12-04', tag: 'sync-daily' } },
  ),
];
