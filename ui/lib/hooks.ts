import { useEffect, useState } from 'preact/hooks';
import { parseRoute, routeHash, type Route } from './route.ts';

/** `value`, once it has stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

/** The current time, refreshed every `ms`, so relative labels ("2 min ago") stay true. */
export function useNow(ms = 30_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

let lastId = 0;

/**
 * An id unique in the page and stable for the component's life, to tie labels and hints to inputs.
 * The panel renders only in the browser, so a counter does the job of Preact's `useId` (ids that
 * match server-rendered HTML) in less code.
 */
export function useUniqueId(): string {
  return useState(() => `f${++lastId}`)[0];
}

export function useRoute(): [Route, (r: Route) => void] {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const navigate = (r: Route) => {
    const hash = routeHash(r);
    if (hash !== location.hash) location.hash = hash;
    else setRoute(r);
  };
  return [route, navigate];
}
