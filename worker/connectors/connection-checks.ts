import { invalid } from '../errors.ts';
import { checkPartnerUrl } from './http.ts';
import { parseFieldMapOverrides } from './mapping.ts';
import type { ConnectionSettings, Connector } from './types.ts';

/** Checks of what a user sends for a connection (pure): settings JSON and credentials. */

const MAX_SETTINGS_BYTES = 16 * 1024;

/** Validates settings JSON from a user: field maps, partner URLs, Cal.com options. */
export function checkSettings(input: unknown): ConnectionSettings {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input))
    throw invalid('settings must be a JSON object.', 'invalid_settings');
  const s = { ...(input as Record<string, unknown>) } as ConnectionSettings;
  if (JSON.stringify(s).length > MAX_SETTINGS_BYTES)
    throw invalid('settings are too large.', 'invalid_settings');
  if (s.fieldMap !== undefined) s.fieldMap = parseFieldMapOverrides(s.fieldMap);
  for (const key of ['apiBase', 'webhookUrl'] as const) {
    if (s[key] === undefined) continue;
    const url = checkPartnerUrl(s[key]);
    if (!url) throw invalid(`settings.${key} must be an https URL.`, 'invalid_settings');
    s[key] = url;
  }
  if (s.eventTypeId !== undefined && !(Number.isInteger(s.eventTypeId) && s.eventTypeId > 0)) {
    throw invalid('settings.eventTypeId must be a positive integer.', 'invalid_settings');
  }
  if (s.timeZone !== undefined && (typeof s.timeZone !== 'string' || s.timeZone.length > 64))
    throw invalid('settings.timeZone must be an IANA time zone name.', 'invalid_settings');
  if (s.contactDelete !== undefined && !['tag', 'delete', 'ignore'].includes(s.contactDelete as string)) {
    throw invalid('settings.contactDelete must be tag, delete or ignore.', 'invalid_settings');
  }
  if (s.cursor !== undefined && s.cursor !== null && typeof s.cursor !== 'string')
    throw invalid('settings.cursor must be a string.', 'invalid_settings');
  return s;
}

/** Validates credentials against the connector's spec; `partial` skips required checks (patches). */
export function checkCredentials(
  connector: Connector,
  input: Record<string, unknown>,
  partial = false,
): Record<string, string> {
  const out: Record<string, string> = {};
  const known = new Map(connector.credentials.map((c) => [c.name, c]));
  for (const [name, value] of Object.entries(input)) {
    const spec = known.get(name);
    if (!spec)
      throw invalid(`${connector.label} has no credential "${name.slice(0, 40)}".`, 'invalid_credentials');
    if (typeof value !== 'string' || value.length > 4096)
      throw invalid(`Credential ${name} must be a string.`, 'invalid_credentials');
    out[name] = value.trim();
    const problem = out[name] ? spec.check?.(out[name]) : null;
    if (problem) throw invalid(`credentials.${name} ${problem}`, 'invalid_credentials');
  }
  if (partial) return out;
  const groups = new Map<string, boolean>();
  for (const spec of connector.credentials) {
    if (spec.required && !out[spec.name])
      throw invalid(`${connector.label} needs the credential ${spec.name}.`, 'invalid_credentials');
    if (spec.oneOf) groups.set(spec.oneOf, (groups.get(spec.oneOf) ?? false) || !!out[spec.name]);
  }
  for (const [group, ok] of groups) {
    if (!ok)
      throw invalid(
        `${connector.label} needs one of: ${connector.credentials
          .filter((c) => c.oneOf === group)
          .map((c) => c.name)
          .join(', ')}.`,
        'invalid_credentials',
      );
  }
  return out;
}
