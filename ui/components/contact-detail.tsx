import { deleteContact, errorText } from '../api.ts';
import { useContact } from '../lib/use-contact.ts';
import type { Session } from '../lib/types.ts';
import { ContactHeader } from './contact-header.tsx';
import { ErrorState, Loading } from './states.tsx';
import { Timeline } from './timeline.tsx';
import { useToast } from './toasts.tsx';

interface Props {
  contactId: string;
  session: Session;
  onBack: () => void;
  onShowLog: () => void;
  /** The contact was deleted: leave it. */
  onDeleted: () => void;
}

/** The open contact: header with tags, then the combined timeline. */
export function ContactDetail({ contactId, session, onBack, onShowLog, onDeleted }: Props) {
  const state = useContact(contactId, session.user.id);
  const toast = useToast();
  const remove = async () => {
    try {
      await deleteContact(contactId);
      toast('Contact deleted');
      onDeleted();
    } catch (err) {
      toast(`The contact was not deleted: ${errorText(err)}`, 'error');
    }
  };
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
              onDelete={remove}
            />
          )}
          <Timeline state={state} userId={session.user.id} contactId={contactId} />
        </>
      )}
    </div>
  );
}
