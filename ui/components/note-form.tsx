import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from '../api.ts';
import type { NoteInput } from '../lib/types.ts';
import { Field } from './field.tsx';
import { FormError } from './form-error.tsx';

interface Props {
  initial?: NoteInput;
  onSubmit: (note: NoteInput) => Promise<void>;
  onCancel: () => void;
}

/** Adds or edits a note: an optional title and the body. */
export function NoteForm({ initial, onSubmit, onCancel }: Props) {
  const [title, setTitle] = useState(initial?.title ?? '');
  const [body, setBody] = useState(initial?.body ?? '');
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => form.current?.querySelector<HTMLElement>('textarea')?.focus(), []);
  const [error, setError] = useState('');

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!body.trim()) return setError('Write something in the note first.');
    setBusy(true);
    setError('');
    try {
      const note: NoteInput = { body: body.trim() };
      if (title.trim() || initial?.title) note.title = title.trim();
      await onSubmit(note);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  return (
    <form
      ref={form}
      class="card form inline-form"
      data-testid="note-form"
      aria-label={initial ? 'Edit note' : 'New note'}
      onSubmit={submit}
      onKeyDown={(e) => e.key === 'Escape' && onCancel()}
    >
      <Field label="Title (optional)" value={title} onValue={setTitle} maxLength={200} testId="note-title" />
      <Field
        label="Note"
        value={body}
        onValue={setBody}
        multiline
        required
        maxLength={10000}
        testId="note-body"
      />
      <FormError message={error} />
      <div class="form-actions">
        <button type="button" class="btn" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" class="btn btn-primary" disabled={busy} data-testid="note-submit">
          {busy ? 'Saving…' : initial ? 'Save note' : 'Add note'}
        </button>
      </div>
    </form>
  );
}
