/** Agreed fields written over an object's content. Pure. */
type Fields = Record<string, unknown>;

/** `current` with `fields` written over it. */
export function withFields(current: unknown, fields: Fields): Fields {
  const merged: Fields = { ...((current ?? {}) as Fields), ...fields };
  // A contact's full name follows its parts.
  if ('name' in merged && ('firstName' in fields || 'lastName' in fields))
    merged.name = [merged.firstName, merged.lastName].filter(Boolean).join(' ');
  return merged;
}
