import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from '../api.ts';
import { fromDateTimeLocal, toDateTimeLocal } from '../lib/format.ts';
import type { TaskInput } from '../lib/types.ts';
import type { Users } from '../lib/users.ts';
import { AssigneeField } from './assignee-field.tsx';
import { Field } from './field.tsx';
import { FormError } from './form-error.tsx';

interface Props {
  initial?: TaskInput;
  defaultAssignee: string;
  users: Users;
  onSubmit: (task: TaskInput) => Promise<void>;
  onCancel: () => void;
}

function tomorrowMorning(): string {
  const d = new Date();
  d.setDate(d.getDate() + 1);
  d.setHours(9, 0, 0, 0);
  return toDateTimeLocal(d);
}

/** Creates or edits a task: title, details, due date and assignee. */
export function TaskForm({ initial, defaultAssignee, users, onSubmit, onCancel }: Props) {
  const [title, setTitle] = useState(initial?.title ?? '');
  const [body, setBody] = useState(initial?.body ?? '');
  const [due, setDue] = useState(initial ? toDateTimeLocal(initial.dueDate) : tomorrowMorning());
  const [assignee, setAssignee] = useState(initial ? (initial.assignedTo ?? '') : defaultAssignee);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => form.current?.querySelector<HTMLElement>('input')?.focus(), []);
  const [error, setError] = useState('');

  const submit = async (e: Event) => {
    e.preventDefault();
    const dueDate = fromDateTimeLocal(due);
    if (!title.trim()) return setError('Give the task a title.');
    if (!dueDate) return setError('Choose a due date.');
    setBusy(true);
    setError('');
    try {
      const task: TaskInput = {
        title: title.trim(),
        body: body.trim(),
        dueDate,
        completed: initial?.completed ?? false,
      };
      // An edit sends the assignee only when it changed: one who has left stays as they were.
      const chosen = assignee.trim();
      if (!initial) {
        if (chosen) task.assignedTo = chosen;
      } else if (chosen !== (initial.assignedTo ?? '')) task.assignedTo = chosen || null;
      await onSubmit(task);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  return (
    <form
      ref={form}
      class="card form inline-form"
      data-testid="task-form"
      aria-label={initial ? 'Edit task' : 'New task'}
      onSubmit={submit}
      onKeyDown={(e) => e.key === 'Escape' && onCancel()}
    >
      <Field label="Title" value={title} onValue={setTitle} required maxLength={200} testId="task-title" />
      <Field label="Details" value={body} onValue={setBody} multiline maxLength={10000} testId="task-body" />
      <div class="form-row">
        <Field label="Due" type="datetime-local" value={due} onValue={setDue} required testId="task-due" />
        <AssigneeField users={users} value={assignee} onValue={setAssignee} />
      </div>
      <FormError message={error} />
      <div class="form-actions">
        <button type="button" class="btn" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" class="btn btn-primary" disabled={busy} data-testid="task-submit">
          {busy ? 'Saving…' : initial ? 'Save task' : 'Create task'}
        </button>
      </div>
    </form>
  );
}
