/**
 * Our triggers and actions as GHL Marketplace workflow modules (pure): what the builder shows
 * (name, inputs, filters), where GHL calls us, and how our answers map to custom variables.
 * `marketplace/workflow-modules.json` is generated from this (scripts/workflow-manifest.ts).
 */
import { actionOf, triggerOf } from '../catalog/index.ts';

type VarType = 'string' | 'numerical' | 'boolean' | 'date' | 'array';
export interface CustomVar {
  name: string;
  reference: string;
  fieldType: VarType;
}
export interface ModuleInput {
  field: string;
  title: string;
  fieldType: string;
  required: boolean;
  options?: { label: string; value: string }[];
  validations?: { rule: string; errorMessage: string }[];
}

export interface WorkflowTrigger {
  key: string;
  /** The catalog trigger it fires on. */
  operation: string;
  name: string;
  customVars: CustomVar[];
  filters: ModuleInput[];
}

export interface WorkflowAction {
  key: string;
  /** The catalog action it runs. */
  operation: string;
  name: string;
  inputs: ModuleInput[];
  customVars: CustomVar[];
  branches?: { id: string; branchName: string }[];
}

const bookingVars: CustomVar[] = [
  { name: 'Booking id', reference: 'appointment.id', fieldType: 'string' },
  { name: 'Booking title', reference: 'appointment.title', fieldType: 'string' },
  { name: 'Start time', reference: 'appointment.startTime', fieldType: 'date' },
  { name: 'End time', reference: 'appointment.endTime', fieldType: 'date' },
  { name: 'Attendee email', reference: 'contact.email', fieldType: 'string' },
  { name: 'Connection', reference: 'connectionId', fieldType: 'string' },
];
const syncVars: CustomVar[] = [
  { name: 'What', reference: 'sync.action', fieldType: 'string' },
  { name: 'Object kind', reference: 'sync.objectKind', fieldType: 'string' },
  { name: 'Error', reference: 'sync.error', fieldType: 'string' },
  { name: 'Connection', reference: 'connectionId', fieldType: 'string' },
];
const connectionFilter: ModuleInput = {
  field: 'connectionId',
  title: 'Connected app',
  fieldType: 'select',
  required: false,
};

const trigger = (operation: string, name: string, customVars: CustomVar[]): WorkflowTrigger => ({
  key: operation.replace(/\./g, '_'),
  operation,
  name,
  customVars,
  filters: [connectionFilter],
});

export const WORKFLOW_TRIGGERS: readonly WorkflowTrigger[] = [
  trigger('partner.booking.created', 'Partner booking created', bookingVars),
  trigger('partner.booking.rescheduled', 'Partner booking rescheduled', bookingVars),
  trigger('partner.booking.cancelled', 'Partner booking cancelled', bookingVars),
  trigger('partner.booking.no_show', 'Partner no-show', bookingVars.slice(0, 1).concat(bookingVars.slice(4))),
  trigger('partner.contact.updated', 'Partner contact created or updated', [
    { name: 'Email', reference: 'contact.email', fieldType: 'string' },
    { name: 'Phone', reference: 'contact.phone', fieldType: 'string' },
    { name: 'Connection', reference: 'connectionId', fieldType: 'string' },
  ]),
  trigger('sync.conflict', 'Sync conflict', syncVars),
  trigger('sync.failed', 'Sync failed', syncVars),
  {
    ...trigger('sync.reconnect_needed', 'Connection needs a reconnect', syncVars),
    key: 'connection_needs_reconnect',
  },
];

const connectionInput: ModuleInput = {
  field: 'connectionId',
  title: 'Connected app (empty: the only one that takes this)',
  fieldType: 'select',
  required: false,
};
const bookingInput: ModuleInput = {
  field: 'bookingId',
  title: "The partner's booking id (e.g. from our booking trigger)",
  fieldType: 'string',
  required: true,
};

/** Writes straight to the partner app (catalog/partner-actions.ts), not through GHL. */
const PARTNER_WORKFLOW_ACTIONS: readonly WorkflowAction[] = [
  {
    key: 'create_partner_booking',
    operation: 'partner.booking.create',
    name: 'Book in the connected app',
    inputs: [
      connectionInput,
      { field: 'title', title: 'Title', fieldType: 'string', required: true },
      { field: 'startTime', title: 'Start (ISO 8601)', fieldType: 'string', required: true },
      { field: 'lengthMinutes', title: 'Length in minutes', fieldType: 'numerical', required: false },
      { field: 'notes', title: 'Notes', fieldType: 'textarea', required: false },
    ],
    customVars: [
      { name: 'Booking id', reference: 'bookingId', fieldType: 'string' },
      { name: 'Connection', reference: 'connectionId', fieldType: 'string' },
      { name: 'Start time', reference: 'startTime', fieldType: 'date' },
      { name: 'End time', reference: 'endTime', fieldType: 'date' },
    ],
  },
  {
    key: 'reschedule_partner_booking',
    operation: 'partner.booking.reschedule',
    name: 'Move a booking in the connected app',
    inputs: [
      connectionInput,
      bookingInput,
      { field: 'startTime', title: 'New start (ISO 8601)', fieldType: 'string', required: true },
    ],
    customVars: [
      { name: 'Rescheduled', reference: 'rescheduled', fieldType: 'boolean' },
      { name: 'Booking id', reference: 'bookingId', fieldType: 'string' },
      { name: 'Start time', reference: 'startTime', fieldType: 'date' },
      { name: 'End time', reference: 'endTime', fieldType: 'date' },
    ],
  },
  {
    key: 'cancel_partner_booking',
    operation: 'partner.booking.cancel',
    name: 'Cancel a booking in the connected app',
    inputs: [connectionInput, bookingInput],
    customVars: [
      { name: 'Cancelled', reference: 'cancelled', fieldType: 'boolean' },
      { name: 'Booking id', reference: 'bookingId', fieldType: 'string' },
    ],
  },
  {
    key: 'create_partner_task',
    operation: 'partner.task.create',
    name: 'Add a task in the connected app',
    inputs: [
      connectionInput,
      { field: 'title', title: 'Title', fieldType: 'string', required: true },
      { field: 'body', title: 'Description', fieldType: 'textarea', required: false },
      { field: 'dueDate', title: 'Due (ISO 8601; empty: in one day)', fieldType: 'string', required: false },
    ],
    customVars: [
      { name: 'Task id', reference: 'taskId', fieldType: 'string' },
      { name: 'Due', reference: 'dueDate', fieldType: 'date' },
    ],
  },
  {
    key: 'create_partner_note',
    operation: 'partner.note.create',
    name: 'Add a note in the connected app',
    inputs: [connectionInput, { field: 'body', title: 'Note', fieldType: 'textarea', required: true }],
    customVars: [{ name: 'Note id', reference: 'noteId', fieldType: 'string' }],
  },
];

export const WORKFLOW_ACTIONS: readonly WorkflowAction[] = [
  {
    key: 'send_booking_link',
    operation: 'ghl.booking_link.send',
    name: 'Send a booking link',
    inputs: [
      {
        field: 'url',
        title: 'Booking page',
        fieldType: 'string',
        required: true,
        validations: [{ rule: 'isValidURL', errorMessage: 'Enter the booking page URL' }],
      },
      { field: 'message', title: 'Message', fieldType: 'textarea', required: false },
    ],
    customVars: [
      { name: 'Booking URL', reference: 'bookingUrl', fieldType: 'string' },
      { name: 'Note id', reference: 'noteId', fieldType: 'string' },
    ],
  },
  {
    key: 'book_appointment',
    operation: 'ghl.appointment.create',
    name: 'Book an appointment (synced to connected apps)',
    inputs: [
      { field: 'title', title: 'Title', fieldType: 'string', required: true },
      {
        field: 'calendarId',
        title: 'Calendar id (empty: the first active calendar)',
        fieldType: 'string',
        required: false,
      },
      { field: 'lengthMinutes', title: 'Length in minutes', fieldType: 'numerical', required: false },
    ],
    customVars: [
      { name: 'Appointment id', reference: 'appointmentId', fieldType: 'string' },
      { name: 'Start time', reference: 'startTime', fieldType: 'date' },
      { name: 'End time', reference: 'endTime', fieldType: 'date' },
    ],
  },
  {
    key: 'cancel_appointment',
    operation: 'ghl.appointment.cancel',
    name: 'Cancel an appointment (also in connected apps)',
    inputs: [
      {
        field: 'appointmentId',
        title: 'Appointment id (empty: the next upcoming)',
        fieldType: 'string',
        required: false,
      },
    ],
    customVars: [
      { name: 'Cancelled', reference: 'cancelled', fieldType: 'boolean' },
      { name: 'Appointment id', reference: 'appointmentId', fieldType: 'string' },
    ],
  },
  {
    key: 'reschedule_appointment',
    operation: 'ghl.appointment.reschedule',
    name: 'Reschedule an appointment (also in connected apps)',
    inputs: [
      {
        field: 'appointmentId',
        title: 'Appointment id (empty: the next upcoming)',
        fieldType: 'string',
        required: false,
      },
      { field: 'startTime', title: 'New start (ISO 8601)', fieldType: 'string', required: true },
    ],
    customVars: [
      { name: 'Rescheduled', reference: 'rescheduled', fieldType: 'boolean' },
      { name: 'Appointment id', reference: 'appointmentId', fieldType: 'string' },
      { name: 'Start time', reference: 'startTime', fieldType: 'date' },
      { name: 'End time', reference: 'endTime', fieldType: 'date' },
    ],
  },
  {
    key: 'add_partner_task',
    operation: 'ghl.task.create',
    name: 'Add a task (also in connected apps)',
    inputs: [
      { field: 'title', title: 'Title', fieldType: 'string', required: true },
      { field: 'body', title: 'Description', fieldType: 'textarea', required: false },
      { field: 'dueDate', title: 'Due (ISO 8601; empty: in one day)', fieldType: 'string', required: false },
    ],
    customVars: [
      { name: 'Task id', reference: 'taskId', fieldType: 'string' },
      { name: 'Due', reference: 'dueDate', fieldType: 'date' },
    ],
  },
  {
    key: 'add_partner_note',
    operation: 'ghl.note.create',
    name: 'Add a note (also in connected apps)',
    inputs: [{ field: 'body', title: 'Note', fieldType: 'textarea', required: true }],
    customVars: [{ name: 'Note id', reference: 'noteId', fieldType: 'string' }],
  },
  {
    key: 'push_contact_to_partner',
    operation: 'engine.contact.push',
    name: 'Push contact to connected apps now',
    inputs: [],
    customVars: [{ name: 'Queued', reference: 'queued', fieldType: 'boolean' }],
  },
  {
    key: 'has_upcoming_appointment',
    operation: 'ghl.appointments.has_upcoming',
    name: 'Has an upcoming appointment?',
    inputs: [],
    customVars: [
      { name: 'Upcoming', reference: 'upcoming', fieldType: 'boolean' },
      { name: 'Next start', reference: 'nextStartTime', fieldType: 'date' },
    ],
    branches: [
      { id: 'has_upcoming', branchName: 'Has an upcoming appointment' },
      { id: 'no_upcoming', branchName: 'No upcoming appointment' },
    ],
  },
  {
    key: 'find_partner_record',
    operation: 'partner.contact.find',
    name: "Find the partner's record",
    inputs: [{ field: 'connectionId', title: 'Connected app', fieldType: 'select', required: false }],
    customVars: [
      { name: 'Found', reference: 'found', fieldType: 'boolean' },
      { name: 'Partner id', reference: 'partnerId', fieldType: 'string' },
      { name: 'Connection', reference: 'connectionId', fieldType: 'string' },
    ],
  },
  {
    key: 'find_business_contacts',
    operation: 'ghl.contacts.by_business',
    name: "Find the business's contacts",
    inputs: [
      {
        field: 'businessId',
        title: "Business id (empty: the contact's)",
        fieldType: 'string',
        required: false,
      },
    ],
    customVars: [
      { name: 'Count', reference: 'count', fieldType: 'numerical' },
      { name: 'Contact ids', reference: 'contactIds', fieldType: 'array' },
    ],
  },
  ...PARTNER_WORKFLOW_ACTIONS,
];

export const workflowTriggerOf = (key: string) => WORKFLOW_TRIGGERS.find((t) => t.key === key);
export const workflowActionOf = (key: string) => WORKFLOW_ACTIONS.find((a) => a.key === key);
/** The workflow trigger that fires on a catalog trigger, if any. */
export const workflowTriggerFor = (operation: string) =>
  WORKFLOW_TRIGGERS.find((t) => t.operation === operation);

/**
 * The modules as the marketplace CLI takes them (one entry per module; URLs from the app's base).
 * Headers carry the shared secret by name only: the value is set in the portal, never committed.
 */
export function marketplaceManifest(appBaseUrl: string) {
  const headers = [{ label: 'Authorization', key: 'Bearer {{WORKFLOW_SECRET}}' }];
  return {
    scopes: ['workflows.readonly'],
    triggers: WORKFLOW_TRIGGERS.map((t) => {
      const op = triggerOf(t.operation)!;
      return {
        key: t.key,
        version: '1.0',
        info: { name: t.name, description: op.description.slice(0, 200), summary: op.description },
        customVarsJson: { ...op.sample, contactId: 'contact_id', event: t.key, test: false },
        customVars: t.customVars,
        filters: t.filters.map((f) => ({
          ...f,
          fetchOptions: { url: `${appBaseUrl}/workflows/options/connections`, headers },
        })),
        subscriptionConfig: { url: `${appBaseUrl}/workflows/triggers/subscription`, headers },
      };
    }),
    actions: WORKFLOW_ACTIONS.map((a) => {
      const op = actionOf(a.operation)!;
      return {
        key: a.key,
        version: '1.0',
        info: { name: a.name, description: op.description, summary: op.description },
        inputs: a.inputs.map((i) =>
          i.field === 'connectionId'
            ? { ...i, fetchOptions: { url: `${appBaseUrl}/workflows/options/connections`, headers } }
            : i,
        ),
        customVars: a.customVars,
        executionConfig: {
          type: 'API',
          url: `${appBaseUrl}/workflows/actions/${a.key}`,
          method: 'POST',
          headers,
          pauseExecution: false,
        },
        payloadCustomizationType: 'default',
        branchesConfig: a.branches
          ? {
              predefinedBranches: {
                branches: a.branches.map((b) => ({
                  id: b.id,
                  branchName: b.branchName,
                  conditionType: 'user-defined',
                  fields: [],
                  meta: {},
                })),
              },
            }
          : {},
      };
    }),
  };
}
