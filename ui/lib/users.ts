import { useEffect, useState } from 'preact/hooks';
import { errorText, listUsers } from '../api.ts';
import type { User } from './types.ts';

/** The sub-account's users, read once per panel visit and shared by every screen that names them. */
let loading: Promise<User[]> | null = null;

function load(): Promise<User[]> {
  loading ??= listUsers().catch((err: unknown) => {
    loading = null; // a later screen tries again
    throw err;
  });
  return loading;
}

export interface Users {
  /** null while loading or after a failure. */
  list: User[] | null;
  error: string;
  /** A user's name, or null when the id is not a known user. */
  nameOf: (id: unknown) => string | null;
}

export function useUsers(): Users {
  const [list, setList] = useState<User[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let alive = true;
    load().then(
      (users) => alive && setList(users),
      (err: unknown) => alive && setError(errorText(err)),
    );
    return () => void (alive = false);
  }, []);
  const nameOf = (id: unknown) =>
    typeof id === 'string' && id ? (list?.find((u) => u.id === id)?.name ?? null) : null;
  return { list, error, nameOf };
}
