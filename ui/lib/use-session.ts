import { useEffect, useState } from 'preact/hooks';
import { ApiError, configureApi, createSession, errorText, setToken } from '../api.ts';
import { requestSsoPayload, SsoError } from './sso.ts';
import type { Session } from './types.ts';

export type Phase =
  | { kind: 'connecting' }
  | { kind: 'ready'; session: Session }
  | { kind: 'outside' }
  | { kind: 'reconnect'; message?: string }
  | { kind: 'error'; message: string };

/** Install states in which nothing works until the app is installed again. */
const GONE = new Set(['reconnect_needed', 'uninstalled', 'missing']);

async function signIn(): Promise<Session> {
  const payload = await requestSsoPayload();
  const session = await createSession(payload);
  setToken(session.token);
  return session;
}

function phaseFor(err: unknown): Phase {
  if (err instanceof SsoError) return { kind: 'outside' };
  if (err instanceof ApiError && err.code === 'reconnect_needed')
    return { kind: 'reconnect', message: err.message };
  return { kind: 'error', message: errorText(err) };
}

/** The SSO handshake and panel session, from the first load through re-authentication on 401. */
export function useSession(): { phase: Phase; retry: () => void } {
  const [phase, setPhase] = useState<Phase>({ kind: 'connecting' });

  const start = async () => {
    setPhase({ kind: 'connecting' });
    try {
      const session = await signIn();
      // The agency console works without an agency install: it lists the sub-accounts that have one.
      const gone = session.context !== 'agency' && GONE.has(session.installStatus ?? '');
      setPhase(gone ? { kind: 'reconnect' } : { kind: 'ready', session });
    } catch (err) {
      setToken(null);
      setPhase(phaseFor(err));
    }
  };

  useEffect(() => {
    configureApi({
      reauth: async () => {
        try {
          const session = await signIn();
          setPhase({ kind: 'ready', session });
          return session.token;
        } catch (err) {
          setPhase(phaseFor(err));
          throw err;
        }
      },
      onReconnect: (message) => setPhase({ kind: 'reconnect', message }),
    });
    void start();
  }, []);

  return { phase, retry: () => void start() };
}
