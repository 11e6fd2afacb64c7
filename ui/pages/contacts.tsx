import { ContactDetail } from '../components/contact-detail.tsx';
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
  return (
    <div class={`split${contactId ? ' has-selection' : ''}`}>
      {/* With a contact open, its name is the page's heading. */}
      {!contactId && <h1 class="sr-only">Contacts</h1>}
      <div class="split-list">
        <ContactSearch selectedId={contactId} onSelect={(c) => navigate({ page: 'contacts', contactId: c.id })} />
      </div>
      <div class="split-detail">
        {contactId ? (
          <ContactDetail
            key={contactId}
            contactId={contactId}
            session={session}
            onBack={() => navigate({ page: 'contacts' })}
            onShowLog={() => navigate({ page: 'sync-log', contactId })}
          />
        ) : (
          <div class="card">
            <Empty title="Select a contact">Search on the left to see a contact's notes, tasks and appointments.</Empty>
          </div>
        )}
      </div>
    </div>
  );
}
