import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from '../api.ts';

/** `more` while a further page loads; the pages already shown stay. */
export type PagesStatus = 'loading' | 'ready' | 'more' | 'error';

export interface Pages<P> {
  /** Every page loaded so far, first page first. */
  pages: P[];
  status: PagesStatus;
  error: string;
  /** The cursor of the next page, or null at the end. */
  cursor: string | null;
  more: () => void;
  /** Loads the first page again. */
  retry: () => void;
  /** Changes what is shown, e.g. one entry after an action on it. */
  setPages: (update: (pages: P[]) => P[]) => void;
}

/**
 * A cursor-paged list from `fetchPage`, from its first page again whenever `deps` change. An
 * answer that a newer request overtook is dropped.
 */
export function usePages<P extends { nextCursor: string | null }>(
  fetchPage: (cursor: string | null) => Promise<P>,
  deps: unknown[],
): Pages<P> {
  const [pages, setPages] = useState<P[]>([]);
  const [status, setStatus] = useState<PagesStatus>('loading');
  const [error, setError] = useState('');
  const [attempt, setAttempt] = useState(0);
  const seq = useRef(0);
  const cursor = pages[pages.length - 1]?.nextCursor ?? null;

  const load = async (more: boolean) => {
    const mine = ++seq.current;
    setStatus(more ? 'more' : 'loading');
    try {
      const page = await fetchPage(more ? cursor : null);
      if (mine !== seq.current) return;
      setPages((prev) => (more ? [...prev, page] : [page]));
      setStatus('ready');
    } catch (err) {
      if (mine !== seq.current) return;
      setError(errorText(err));
      setStatus('error');
    }
  };

  useEffect(() => {
    void load(false);
  }, [...deps, attempt]);

  return {
    pages,
    status,
    error,
    cursor,
    more: () => void load(true),
    retry: () => setAttempt((n) => n + 1),
    setPages,
  };
}
