import { useUniqueId } from '../lib/hooks.ts';
import type { Users } from '../lib/users.ts';

interface Props {
  users: Users;
  /** A user id, or '' for nobody. */
  value: string;
  onValue: (id: string) => void;
}

/**
 * Who a task is assigned to, picked by name from the sub-account's users. An assignee who is not
 * in the list (a removed user) stays selectable under their id, so saving does not drop them.
 */
export function AssigneeField({ users, value, onValue }: Props) {
  const id = useUniqueId();
  const hintId = `${id}-hint`;
  const known = users.list ?? [];
  const hint = users.error
    ? `Could not load the users (${users.error}); the current assignee is kept.`
    : users.list
      ? 'Everyone who works in this sub-account.'
      : 'Loading users…';
  return (
    <div class="field">
      <label for={id}>Assigned to</label>
      <select
        id={id}
        class="input"
        value={value}
        aria-describedby={hintId}
        data-testid="task-assignee"
        disabled={!users.list && !users.error}
        onChange={(e) => onValue(e.currentTarget.value)}
      >
        <option value="">Nobody</option>
        {known.map((u) => (
          <option key={u.id} value={u.id}>
            {u.name}
          </option>
        ))}
        {value && !known.some((u) => u.id === value) && (
          <option value={value}>
            {users.list ? 'A user no longer here' : users.error ? value : 'Current assignee'}
          </option>
        )}
      </select>
      <p id={hintId} class="hint">
        {hint}
      </p>
    </div>
  );
}
