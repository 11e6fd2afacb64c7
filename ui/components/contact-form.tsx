import { useState } from 'preact/hooks';
import { errorText } from '../api.ts';
import type { Contact, ContactPatch } from '../lib/types.ts';
import { Dialog } from './dialog.tsx';
import { Field } from './field.tsx';
import { FormError } from './form-error.tsx';

interface Props {
  /** The contact to edit; none: a new contact. */
  contact?: Contact;
  onSave: (patch: ContactPatch) => Promise<void>;
  onClose: () => void;
}

const FIELDS = ['firstName', 'lastName', 'email', 'phone', 'companyName'] as const;
const s = (v: unknown) => (typeof v === 'string' ? v : '');

/** Edits the contact's name, email, phone and company, or makes a new contact, in a dialog. */
export function ContactForm({ contact, onSave, onClose }: Props) {
  const [form, setForm] = useState(
    () =>
      Object.fromEntries(FIELDS.map((k) => [k, s(contact?.[k])])) as Record<(typeof FIELDS)[number], string>,
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const set = (key: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [key]: v }));

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    // Send only what changed, trimmed: GHL treats every field present in a PUT as an edit.
    const patch: ContactPatch = {};
    for (const key of FIELDS) {
      const next = form[key].trim();
      if (next !== s(contact?.[key])) patch[key] = next;
    }
    if (!contact && !patch.firstName && !patch.lastName && !patch.email && !patch.phone) {
      setError('A contact needs a name, an email or a phone.');
      setBusy(false);
      return;
    }
    try {
      if (Object.keys(patch).length) await onSave(patch);
      onClose();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title={contact ? 'Edit contact' : 'New contact'} onClose={onClose} testId="contact-form">
      <form onSubmit={submit} class="form">
        <div class="form-row">
          <Field
            label="First name"
            value={form.firstName}
            onValue={set('firstName')}
            autoComplete="off"
            testId="contact-first-name"
          />
          <Field
            label="Last name"
            value={form.lastName}
            onValue={set('lastName')}
            autoComplete="off"
            testId="contact-last-name"
          />
        </div>
        <Field
          label="Email"
          type="email"
          value={form.email}
          onValue={set('email')}
          autoComplete="off"
          testId="contact-email"
        />
        <Field
          label="Phone"
          type="tel"
          value={form.phone}
          onValue={set('phone')}
          autoComplete="off"
          hint="Include the country code, e.g. +1 555 010 2030."
          testId="contact-phone"
        />
        <Field
          label="Company"
          value={form.companyName}
          onValue={set('companyName')}
          autoComplete="off"
          testId="contact-company"
        />
        <FormError message={error} />
        <div class="form-actions">
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={busy} data-testid="contact-save">
            {busy ? 'Saving…' : contact ? 'Save contact' : 'Create contact'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
