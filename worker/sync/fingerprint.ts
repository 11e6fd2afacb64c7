/**
 * Content fingerprints for echo suppression and "nothing changed" checks. Two values that mean
 * the same (key order, email case, phone punctuation, date format, whitespace) get the same print.
 */
export function canonical(value: unknown): unknown {
  if (value === null || value === undefined || value === '') return undefined;
  if (Array.isArray(value)) {
    const items = value.map(canonical).filter((v) => v !== undefined);
    return items.length ? items : undefined;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as object).sort()) {
      if (key === 'updatedAt') continue;
      const v = canonical((value as Record<string, unknown>)[key]);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (typeof value === 'string') {
    const s = value.trim();
    if (!s) return undefined;
    if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(s)) {
      const t = Date.parse(s.includes('T') ? s : s.replace(' ', 'T') + 'Z');
      if (Number.isFinite(t)) return new Date(t).toISOString();
    }
    return s;
  }
  return value;
}

/** Lower-cased, trimmed email, or undefined. */
export function normalizeEmail(email: unknown): string | undefined {
  return typeof email === 'string' && email.includes('@') ? email.trim().toLowerCase() : undefined;
}

/** Digits of a phone number with a leading + kept, or undefined when too short to match on. */
export function normalizePhone(phone: unknown): string | undefined {
  if (typeof phone !== 'string') return undefined;
  const digits = phone.replace(/[^\d]/g, '');
  if (digits.length < 7) return undefined;
  return `+${digits}`;
}

/** FNV-1a 64-bit over the canonical JSON: fast, synchronous, stable across runs. */
export function fingerprint(value: unknown): string {
  const text = JSON.stringify(canonical(value) ?? null);
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}
