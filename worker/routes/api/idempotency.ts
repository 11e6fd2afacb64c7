import type { Context } from 'hono';
import type { SessionEnv } from '../../auth/session.ts';
import { toHex, utf8 } from '../../crypto/encoding.ts';
import { AppError } from '../../errors.ts';
import type { CreateKey } from '../../ghl/api.ts';

const KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

/**
 * The panel's `Idempotency-Key` for a create, with the fingerprint of what is created and by
 * whom, or undefined when the request carries none (then the create is sent as it comes).
 */
export async function createKeyOf(c: Context<SessionEnv>, content: unknown): Promise<CreateKey | undefined> {
  const raw = c.req.header('idempotency-key');
  if (raw === undefined) return undefined;
  const key = raw.trim();
  if (!KEY.test(key))
    throw new AppError(
      400,
      'invalid_idempotency_key',
      'Idempotency-Key must be 8 to 128 letters, digits or - _ . :',
    );
  const what = JSON.stringify([c.req.method, c.req.path, c.var.session.userId, content]);
  return { key, fingerprint: toHex(await crypto.subtle.digest('SHA-256', utf8.encode(what))) };
}
