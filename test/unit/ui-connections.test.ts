import { describe, expect, it } from 'vitest';
import {
  applySettings,
  backfillRows,
  credentialsError,
  formFields,
  isPartnerUrl,
  progressPercent,
  settingError,
  settingFields,
  words,
} from '../../ui/lib/connection-admin.ts';
import {
  directionOf,
  healthOf,
  RECENT_ERROR_MS,
  type KindSpec,
  type PartnerConnection,
} from '../../ui/lib/connections.ts';

const NOW = Date.UTC(2026, 0, 15, 12);
const HOUR = 3_600_000;

type HealthInput = Pick<PartnerConnection, 'health' | 'lastEventAt' | 'lastError' | 'status'>;
const conn = (over: Partial<HealthInput> = {}): HealthInput => ({
  health: null,
  lastEventAt: null,
  lastError: null,
  status: 'active',
  ...over,
});
const health = (over: Partial<NonNullable<PartnerConnection['health']>> = {}) => ({
  lastEventAt: null,
  lastError: null,
  lastErrorAt: null,
  backlog: 0,
  failed: 0,
  ...over,
});

describe('healthOf', () => {
  it('is calm with no health yet', () => {
    expect(healthOf(conn(), NOW)).toEqual({
      lastEventAt: null,
      lastError: null,
      lastErrorAt: null,
      backlog: 0,
      failed: 0,
      warn: false,
    });
  });

  it('takes the later of the log and the connection row as the last event', () => {
    const h = healthOf(
      conn({ lastEventAt: NOW - 2 * HOUR, health: health({ lastEventAt: NOW - HOUR, backlog: 3 }) }),
      NOW,
    );
    expect(h.lastEventAt).toBe(NOW - HOUR);
    expect(h.backlog).toBe(3);
    expect(h.warn).toBe(false);
  });

  it('warns when changes failed', () => {
    expect(healthOf(conn({ health: health({ failed: 1 }) }), NOW).warn).toBe(true);
  });

  it('warns on a recent error but not on an old one', () => {
    const recent = healthOf(
      conn({ health: health({ lastError: 'HTTP 500', lastErrorAt: NOW - HOUR }) }),
      NOW,
    );
    expect(recent).toMatchObject({ lastError: 'HTTP 500', lastErrorAt: NOW - HOUR, warn: true });
    const old = healthOf(
      conn({ health: health({ lastError: 'HTTP 500', lastErrorAt: NOW - RECENT_ERROR_MS - 1 }) }),
      NOW,
    );
    expect(old.warn).toBe(false);
  });

  it('falls back to the connection row error (undated: counts as recent) and warns on status error', () => {
    expect(healthOf(conn({ lastError: 'bad key' }), NOW)).toMatchObject({
      lastError: 'bad key',
      lastErrorAt: null,
      warn: true,
    });
    expect(healthOf(conn({ status: 'error' }), NOW).warn).toBe(true);
    expect(healthOf(conn({ status: 'paused' }), NOW).warn).toBe(false);
  });
});

describe('progressPercent', () => {
  const p = (over: object) => ({
    state: 'running' as const,
    phase: 'ghl' as const,
    processed: 0,
    total: null,
    ...over,
  });
  it('is a whole, clamped percent of the GHL pass', () => {
    expect(progressPercent(p({ processed: 1, total: 3 }))).toBe(33);
    expect(progressPercent(p({ processed: 50, total: 50 }))).toBe(100);
    expect(progressPercent(p({ processed: 70, total: 50 }))).toBe(100);
  });
  it('is unknown (null) before the total is known, for an empty location, and while the partner feed is read', () => {
    expect(progressPercent(p({}))).toBeNull();
    expect(progressPercent(p({ total: 0 }))).toBeNull();
    expect(progressPercent(p({ phase: 'partner', processed: 5, total: 5 }))).toBeNull();
  });
  it('is 100 when done', () => {
    expect(progressPercent(p({ state: 'done', phase: 'done', total: 0 }))).toBe(100);
  });
});

describe('connection settings', () => {
  const cal = settingFields('calcom');
  const field = (key: string) => cal.find((f) => f.key === key)!;

  it('knows what each connector needs, and a calendar id for the rest', () => {
    expect(cal.map((f) => f.key)).toEqual(['eventTypeId', 'timeZone', 'apiBase', 'ghlCalendarId']);
    expect(settingFields('yourapp').map((f) => f.key)).toEqual(['webhookUrl', 'apiBase', 'ghlCalendarId']);
    expect(settingFields('appointlet').map((f) => f.key)).toEqual(['ghlCalendarId']);
    expect(settingFields('unknown').map((f) => f.key)).toEqual(['ghlCalendarId']);
  });

  it('checks URLs as the worker does: https, or http on loopback', () => {
    expect(isPartnerUrl('https://api.cal.com')).toBe(true);
    expect(isPartnerUrl('http://127.0.0.1:8080/hooks')).toBe(true);
    expect(isPartnerUrl('http://localhost:3000')).toBe(true);
    expect(isPartnerUrl('http://example.com')).toBe(false);
    expect(isPartnerUrl('https://user:pw@example.com')).toBe(false);
    expect(isPartnerUrl('not a url')).toBe(false);
  });

  it('validates each type and requires what is required', () => {
    expect(settingError(field('eventTypeId'), '42')).toBe('');
    expect(settingError(field('eventTypeId'), '0')).toMatch(/whole number/);
    expect(settingError(field('eventTypeId'), '1.5')).toMatch(/whole number/);
    expect(settingError(field('timeZone'), 'Europe/Berlin')).toBe('');
    expect(settingError(field('timeZone'), 'Mars/Olympus')).toMatch(/Europe\/Berlin/);
    expect(settingError(field('apiBase'), 'ftp://x')).toMatch(/https/);
    expect(settingError(field('ghlCalendarId'), 'cal_123-A')).toBe('');
    expect(settingError(field('ghlCalendarId'), 'a b')).toMatch(/letters/);
    expect(settingError(field('apiBase'), '  ')).toBe('');
    expect(settingError(settingFields('yourapp')[0]!, '')).toMatch(/required/);
  });

  it('builds the whole settings object: keeps what the form does not show, removes emptied fields, types numbers', () => {
    const base = {
      fieldMap: { contact: { phone: 'tel' } },
      cursor: 'c1',
      apiBase: 'https://old.example',
      timeZone: 'UTC',
    };
    const out = applySettings(base, cal, {
      eventTypeId: ' 7 ',
      timeZone: '',
      apiBase: 'https://api.example.com/',
      ghlCalendarId: 'cal1',
    });
    expect(out).toEqual({
      fieldMap: { contact: { phone: 'tel' } },
      cursor: 'c1',
      apiBase: 'https://api.example.com',
      eventTypeId: 7,
      ghlCalendarId: 'cal1',
    });
    expect(base.timeZone).toBe('UTC'); // not mutated
  });
});

describe('credentialsError', () => {
  const calcom: KindSpec = {
    kind: 'calcom',
    label: 'Cal.com',
    generated: ['webhookSecret'],
    credentials: [
      { name: 'apiKey', required: false, oneOf: 'auth', description: '' },
      { name: 'accessToken', required: false, oneOf: 'auth', description: '' },
      { name: 'webhookSecret', required: true, description: '' },
    ],
  };

  it('needs one of each group, but not what the worker generates', () => {
    expect(credentialsError(calcom, {}, false)).toBe('Cal.com needs one of: API key, access token.');
    expect(credentialsError(calcom, { apiKey: 'cal_live_1' }, false)).toBe('');
    expect(credentialsError(calcom, { accessToken: ' t ' }, false)).toBe('');
  });

  it('needs required credentials nobody generates; an edit keeps blanks', () => {
    const strict = { ...calcom, generated: [] };
    expect(credentialsError(strict, { apiKey: 'k' }, false)).toBe('Cal.com needs webhook secret.');
    expect(credentialsError(strict, {}, true)).toBe('');
  });

  it('names credentials in words', () => {
    expect(words('webhookSecret')).toBe('webhook secret');
    expect(words('apiKey')).toBe('API key');
  });
});

describe('directionOf', () => {
  it('says two-way only when the connector writes to the partner', () => {
    expect(
      directionOf({
        kind: 'a',
        label: 'A',
        credentials: [],
        capabilities: { outbound: { contact: ['create'] } },
      }),
    ).toBe('Two-way');
    expect(directionOf({ kind: 'b', label: 'B', credentials: [], capabilities: { outbound: {} } })).toBe(
      'Into HighLevel only',
    );
  });
});

describe('backfillRows', () => {
  const c = (create: number, skipped = 0) => ({ create, update: 0, unchanged: 0, skipped });
  it('lists partner-bound kinds first in a fixed order, then what comes into HighLevel', () => {
    const rows = backfillRows(
      { toPartner: { appointment: c(2, 11), contact: c(25) }, toGhl: { note: c(1) } },
      'Cal.com',
    );
    expect(rows.map((r) => r.label)).toEqual([
      'Contacts to Cal.com',
      'Appointments to Cal.com',
      'Notes into HighLevel',
    ]);
    expect(rows[1]!.counts).toEqual(c(2, 11));
  });

  it('is empty for a backfill from before per-kind counts', () => {
    expect(backfillRows({}, 'Your app')).toEqual([]);
  });
});

describe('formFields', () => {
  it('asks what a partner delete does only where the partner deletes contacts', () => {
    const yourapp = { kind: 'yourapp', capabilities: { inbound: { contact: ['upsert', 'delete'] } } };
    const calcom = { kind: 'calcom', capabilities: { inbound: { contact: ['upsert'] } } };
    const field = formFields(yourapp).at(-1)!;
    expect(field).toMatchObject({ key: 'contactDelete', type: 'choice' });
    expect(field.options!.map((o) => o.value)).toEqual(['tag', 'delete', 'ignore']);
    expect(formFields(calcom).some((f) => f.key === 'contactDelete')).toBe(false);
  });
});
