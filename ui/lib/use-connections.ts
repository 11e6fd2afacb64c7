import { useEffect, useState } from 'preact/hooks';
import { errorText, listConnections } from '../api.ts';
import type { ConnectionList } from './connections.ts';

export interface ConnectionsState {
  list: ConnectionList | null;
  error: string;
  /** Loads again; the current list stays on screen meanwhile. */
  reload: () => void;
}

/** The location's partner connections, their health and the connector kinds. */
export function useConnections(): ConnectionsState {
  const [list, setList] = useState<ConnectionList | null>(null);
  const [error, setError] = useState('');
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    listConnections().then(
      (l) => {
        if (!live) return;
        setList(l);
        setError('');
      },
      (err) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [n]);
  return { list, error, reload: () => setN((x) => x + 1) };
}
