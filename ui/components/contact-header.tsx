import { useState } from 'preact/hooks';
import { contactName, initials } from '../lib/format.ts';
import type { Contact, ContactPatch } from '../lib/types.ts';
import { ContactForm } from './contact-form.tsx';
import { ConfirmDialog } from './dialog.tsx';
import { TagEditor } from './tag-editor.tsx';

interface Props {
  contact: Contact;
  onAddTag: (tag: string) => void;
  onRemoveTag: (tag: string) => void;
  onSave: (patch: ContactPatch) => Promise<void>;
  onShowLog: () => void;
  /** Deletes the contact in HighLevel (after the confirmation here). */
  onDelete: () => Promise<void>;
}

/** Name, email, phone, company and tags of the open contact. */
export function ContactHeader({ contact, onAddTag, onRemoveTag, onSave, onShowLog, onDelete }: Props) {
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const name = contactName(contact);
  return (
    <section class="card contact-header" data-testid="contact-header" aria-labelledby="contact-name">
      <div class="contact-header-top">
        <span class="avatar avatar-lg" aria-hidden="true">
          {initials(name)}
        </span>
        <div class="contact-header-text">
          <h1 id="contact-name" class="contact-name" data-testid="contact-name">
            {name}
          </h1>
          <dl class="contact-facts">
            <div>
              <dt>Email</dt>
              <dd data-testid="contact-email-value">
                {contact.email ? <a href={`mailto:${contact.email}`}>{contact.email}</a> : '—'}
              </dd>
            </div>
            <div>
              <dt>Phone</dt>
              <dd data-testid="contact-phone-value">
                {contact.phone ? <a href={`tel:${contact.phone}`}>{contact.phone}</a> : '—'}
              </dd>
            </div>
            {contact.companyName && (
              <div>
                <dt>Company</dt>
                <dd>{contact.companyName}</dd>
              </div>
            )}
          </dl>
        </div>
        <div class="contact-header-actions">
          <button
            type="button"
            class="btn btn-sm"
            data-testid="contact-edit"
            onClick={() => setEditing(true)}
          >
            Edit
          </button>
          <button
            type="button"
            class="btn btn-sm btn-ghost"
            data-testid="contact-sync-log"
            onClick={onShowLog}
          >
            Sync log
          </button>
          <button
            type="button"
            class="btn btn-sm btn-ghost danger"
            data-testid="contact-delete"
            onClick={() => setDeleting(true)}
          >
            Delete
          </button>
        </div>
      </div>
      <TagEditor tags={contact.tags ?? []} onAdd={onAddTag} onRemove={onRemoveTag} />
      {editing && <ContactForm contact={contact} onSave={onSave} onClose={() => setEditing(false)} />}
      {deleting && (
        <ConfirmDialog
          title={`Delete ${name}?`}
          message="The contact, its notes, tasks and appointments are deleted in HighLevel. Connected apps hear about it as about any delete."
          confirmLabel="Delete contact"
          onConfirm={onDelete}
          onClose={() => setDeleting(false)}
        />
      )}
    </section>
  );
}
