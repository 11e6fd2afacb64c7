import { AppError } from '../errors.ts';

/** Reads a request body as bytes, refusing (413) anything over `max` before it is all buffered. */
export async function readLimited(req: Request, max: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > max) throw tooLarge(max);
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

const tooLarge = (max: number) =>
  new AppError(413, 'payload_too_large', `The body is larger than ${max} bytes.`);

/**
 * Deepest nesting a webhook body may have. GHL and partner payloads stay under ten levels; a
 * few thousand overflow the stack when the event is cloned into a Durable Object call, which
 * would answer 429 and make the sender retry a body that can never be stored.
 */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/** Whether JSON bytes open more than `max` objects or arrays inside each other (one pass, no parse). */
export function nestsDeeperThan(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === QUOTE) {
      i = stringEnd(bytes, i);
      if (i < 0) return false; // unterminated: JSON.parse refuses it
    } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) depth--;
  }
  return false;
}

/** Index of the quote closing the string opened at `start` (-1 if none); jumps from quote to quote. */
function stringEnd(bytes: Uint8Array, start: number): number {
  let at = start;
  for (;;) {
    at = bytes.indexOf(QUOTE, at + 1);
    if (at < 0) return -1;
    // UTF-8 continuation bytes are all >= 0x80, so an ASCII quote is a quote; an odd run of
    // backslashes before it escapes it.
    let slashes = 0;
    while (bytes[at - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return at;
  }
}

/** Throws a 400 for JSON bytes nested deeper than MAX_JSON_DEPTH. */
export function checkJsonDepth(bytes: Uint8Array): void {
  if (nestsDeeperThan(bytes, MAX_JSON_DEPTH)) {
    throw new AppError(
      400,
      'too_deeply_nested',
      `The body is nested more than ${MAX_JSON_DEPTH} levels deep.`,
    );
  }
}

/** Parses JSON bytes into an object, or throws a 400 saying why (nested deeper than MAX_JSON_DEPTH included). */
export function parseJsonObject(bytes: Uint8Array): Record<string, unknown> {
  checkJsonDepth(bytes);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new AppError(400, 'malformed_json', 'The body is not valid JSON.');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new AppError(400, 'invalid_body', 'The body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}
