import * as v from 'valibot';
import { AppError } from '../../errors.ts';
import { fromUtf8, utf8 } from '../../crypto/encoding.ts';

/** Opaque paging cursors: base64url of a small JSON object. Clients must not build them. */
export function encodeCursor(value: unknown): string {
  let s = '';
  for (const b of utf8.encode(JSON.stringify(value))) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Reads a cursor made by `encodeCursor`; anything else is a 400 `invalid_cursor`. */
export function decodeCursor<T extends v.GenericSchema>(cursor: string, schema: T): v.InferOutput<T> {
  try {
    if (cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    const s = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(s, (ch) => ch.charCodeAt(0));
    return v.parse(schema, JSON.parse(fromUtf8.decode(bytes)));
  } catch {
    throw new AppError(400, 'invalid_cursor', 'The cursor is not valid; start again from the first page.');
  }
}
