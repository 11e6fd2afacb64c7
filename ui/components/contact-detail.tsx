import { useContact } from '../lib/use-contact.ts';
import type { Session } from '../lib/types.ts';
import { ContactHeader } from './contact-header.tsx';
import { ErrorState, Loading } from './states.tsx';
import { Timeline } from './timeline.tsx';

interface Props {
  contactId: string;
  session: Session;
  onBack: () => void;
  onShowLog: () => void;
}

/** The open contact: header with tags, then the combined timeline. */
export function ContactDetail({ contactId, session, onBack, onShowLog }: Props) {
  const state = useContact(contactId);
  return (
    <div class="detail" data-testid="contact-detail" data-contact-id={contactId}>
      <button type="button" class="btn btn-ghost back" onClick={onBack} data-testid="contact-back">
        ← All contacts
      </button>
      {state.status === 'loading' && (
        <div class="card">
          <Loading label="Loading contact…" />
        </div>
      )}
      {state.status === 'error' && (
        <div class="card">
          <ErrorState message={state.error} onRetry={state.reload} />
        </div>
      )}
      {state.status === 'ready' && (
        <>
          {state.contact && (
            <ContactHeader
              contact={state.contact}
              onAddTag={state.addTag}
              onRemoveTag={state.removeTag}
              onSave={state.saveContact}
              onShowLog={onShowLog}
            />
          )}
          <Timeline state={state} userId={session.user.id} />
        </>
      )}
    </div>
  );
}
