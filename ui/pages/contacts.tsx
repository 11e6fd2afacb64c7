import { useState } from 'preact/hooks';
import { createContact } from '../api.ts';
import { ContactDetail } from '../components/contact-detail.tsx';
import { ContactForm } from '../components/contact-form.tsx';
import { ContactSearch } from '../components/contact-search.tsx';
import { Empty } from '../components/states.tsx';
import type { Route } from '../lib/route.ts';
import type { Session } from '../lib/types.ts';

interface Props {
  session: Session;
  contactId?: string;
  navigate: (r: Route) => void;
}

/** Contact list and the selected contact side by side; one at a time on narrow screens. */
export function ContactsPage({ session, contactId, navigate }: Props) {
  const [creating, setCreating] = useState(false);
  // A new or deleted contact: the list is read again.
  const [listVersion, setListVersion] = useState(0);
  return (
    <div class={`split${contactId ? ' has-selection' : ''}`}>
      {/* With a contact open, its name is the page's heading. */}
      {!contactId && <h1 class="sr-only">Contacts</h1>}
      <div class="split-list">
        <button
          type="button"
          class="btn btn-primary btn-sm new-contact"
          onClick={() => setCreating(true)}
          data-testid="contact-new"
        >
          New contact
        </button>
        <ContactSearch
          key={listVersion}
          selectedId={contactId}
          onSelect={(c) => navigate({ page: 'contacts', contactId: c.id })}
        />
      </div>
      {creating && (
        <ContactForm
          onSave={async (fields) => {
            const made = await createContact(fields);
            setListVersion((n) => n + 1);
            navigate({ page: 'contacts', contactId: made.id });
          }}
          onClose={() => setCreating(false)}
        />
      )}
      <div class="split-detail">
        {contactId ? (
          <ContactDetail
            key={contactId}
            contactId={contactId}
            session={session}
            onBack={() => navigate({ page: 'contacts' })}
            onShowLog={() => navigate({ page: 'sync-log', contactId })}
            onDeleted={() => {
              setListVersion((n) => n + 1);
              navigate({ page: 'contacts' });
            }}
          />
        ) : (
          <div class="card">
            <Empty title="Select a contact">
              Search on the left to see a contact's notes, tasks and appointments.
            </Empty>
          </div>
        )}
      </div>
    </div>
  );
}
