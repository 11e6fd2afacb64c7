import { describe, expect, it } from 'vitest';
import {
  ACCESS_TOKEN_RENEW_AT,
  CredentialKeeper,
  renewalDue,
  renewAtFor,
  RENEW_AHEAD_MS,
  type CredentialStore,
  type StoredConnection,
} from '../../worker/connectors/credential-keeper.ts';
import { PartnerApiError } from '../../worker/connectors/http.ts';
import type { Connector, ConnectorConnection } from '../../worker/connectors/types.ts';

const NOW = Date.parse('2030-01-01T00:00:00Z');

/** An in-memory store with the D1 store's compare-on-version saves. */
class MemoryStore implements CredentialStore {
  credentials: Record<string, string>;
  status = 'active';
  lastError: string | null = null;
  version = 1;
  saves = 0;
  /** Runs before a save lands (a user editing the connection meanwhile). */
  beforeSave?: () => void;

  constructor(credentials: Record<string, string>) {
    this.credentials = credentials;
  }

  /** What a user PATCH does: new credentials, a new version, and the connection active again. */
  userEdit(patch: Record<string, string>) {
    this.credentials = { ...this.credentials, ...patch };
    this.version++;
    this.status = 'active';
    this.lastError = null;
  }

  async load(id: string): Promise<StoredConnection | null> {
    const connection: ConnectorConnection = {
      id,
      locationId: 'loc1',
      kind: 'fake',
      settings: {},
      credentials: { ...this.credentials },
      inboundSecretHash: null,
      createdAt: 0,
    };
    return { connection, status: this.status, lastError: this.lastError, version: String(this.version) };
  }

  async save(_id: string, version: string | null, credentials: Record<string, string>) {
    this.beforeSave?.();
    this.beforeSave = undefined;
    if (version !== String(this.version)) return false;
    this.credentials = { ...credentials };
    this.version++;
    this.saves++;
    return true;
  }

  async markReconnectNeeded(_id: string, version: string | null, reason: string) {
    if (version !== String(this.version)) return;
    this.status = 'error';
    this.lastError = reason;
  }
}

/** A partner whose token endpoint rotates the refresh token; `fail` makes the next refresh throw. */
function fakePartner() {
  const partner = {
    calls: 0,
    fail: null as PartnerApiError | null,
    connector: {} as Connector,
  };
  partner.connector = {
    kind: 'fake',
    label: 'Fake',
    refreshTokens: async (conn: ConnectorConnection) => {
      partner.calls++;
      await new Promise((r) => setTimeout(r, 10));
      if (partner.fail) throw partner.fail;
      const n = partner.calls;
      return {
        accessToken: `at${n}`,
        refreshToken: `rt${n}`,
        [ACCESS_TOKEN_RENEW_AT]: String(renewAtFor(NOW, 1800_000)),
        usedRefresh: conn.credentials.refreshToken!,
      };
    },
  } as unknown as Connector;
  return partner;
}

const setup = (
  credentials: Record<string, string> = { accessToken: 'at0', refreshToken: 'rt0', webhookSecret: 'w' },
) => {
  const store = new MemoryStore(credentials);
  const partner = fakePartner();
  const keeper = new CredentialKeeper(
    (kind) => (kind === 'fake' ? partner.connector : undefined),
    () => NOW,
  );
  return { store, partner, keeper, renew: (stale: string) => keeper.renew(store, 'conn1', 'loc1', stale) };
};

describe('renewal time', () => {
  it('is a minute before expiry, or halfway through a shorter life', () => {
    expect(renewAtFor(NOW, 1800_000)).toBe(NOW + 1800_000 - RENEW_AHEAD_MS);
    expect(renewAtFor(NOW, 30_000)).toBe(NOW + 15_000);
  });

  it('is due once reached, never without a stored time', () => {
    expect(renewalDue({ [ACCESS_TOKEN_RENEW_AT]: String(NOW) }, NOW)).toBe(true);
    expect(renewalDue({ [ACCESS_TOKEN_RENEW_AT]: String(NOW + 1) }, NOW)).toBe(false);
    expect(renewalDue({}, NOW)).toBe(false);
  });
});

describe('CredentialKeeper', () => {
  it('runs one refresh for many callers at once and saves the new pair before answering', async () => {
    const { store, partner, renew } = setup();
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => renew('at0')));
    expect(partner.calls).toBe(1);
    expect(store.saves).toBe(1);
    for (const o of outcomes) expect(o).toEqual({ ok: true, credentials: store.credentials });
    expect(store.credentials).toMatchObject({
      accessToken: 'at1',
      refreshToken: 'rt1',
      usedRefresh: 'rt0',
      webhookSecret: 'w',
    });
  });

  it('a caller holding a token already replaced gets the stored one without a second refresh', async () => {
    const { store, partner, renew } = setup();
    await renew('at0');
    const late = await renew('at0');
    expect(partner.calls).toBe(1);
    expect(late).toEqual({ ok: true, credentials: store.credentials });
    // The stored token itself refused (or expiring): that one is renewed.
    await renew('at1');
    expect(partner.calls).toBe(2);
    expect(store.credentials).toMatchObject({ accessToken: 'at2', usedRefresh: 'rt1' });
  });

  it('renews a stored token that is due even when the caller holds it no more', async () => {
    const { store, partner, renew } = setup({
      accessToken: 'at0',
      refreshToken: 'rt0',
      [ACCESS_TOKEN_RENEW_AT]: String(NOW - 1),
    });
    await renew('some-older-token');
    expect(partner.calls).toBe(1);
    expect(store.credentials.accessToken).toBe('at1');
  });

  it('a refusal for good marks the connection, and later callers do not spend the partner another try', async () => {
    const { store, partner, renew } = setup();
    partner.fail = new PartnerApiError('reconnect_needed', 'Reconnect needed: refused (invalid_grant).', 400);
    expect(await renew('at0')).toEqual({
      ok: false,
      code: 'reconnect_needed',
      message: 'Reconnect needed: refused (invalid_grant).',
    });
    expect(store).toMatchObject({ status: 'error', lastError: 'Reconnect needed: refused (invalid_grant).' });
    expect(await renew('at0')).toMatchObject({ ok: false, code: 'reconnect_needed' });
    expect(partner.calls).toBe(1);

    store.userEdit({ accessToken: 'new-at', refreshToken: 'new-rt' });
    partner.fail = null;
    expect(await renew('new-at')).toMatchObject({
      ok: true,
      credentials: { accessToken: 'at2', usedRefresh: 'new-rt' },
    });
  });

  it('a partner outage is passed on as retryable and marks nothing', async () => {
    const { store, partner, renew } = setup();
    partner.fail = new PartnerApiError(
      'unavailable',
      'Cal.com token refresh failed at the partner (503).',
      503,
      2000,
    );
    expect(await renew('at0')).toEqual({
      ok: false,
      code: 'unavailable',
      message: 'Cal.com token refresh failed at the partner (503).',
      retryAfterMs: 2000,
    });
    expect(store.status).toBe('active');
    expect(new PartnerApiError('unavailable', 'x').retryable).toBe(true);
  });

  it('tokens a user entered during the refresh win over the ones it obtained', async () => {
    const { store, renew } = setup();
    store.beforeSave = () => store.userEdit({ accessToken: 'user-at', refreshToken: 'user-rt' });
    expect(await renew('at0')).toMatchObject({
      ok: true,
      credentials: { accessToken: 'user-at', refreshToken: 'user-rt' },
    });
    expect(store.credentials).toMatchObject({ accessToken: 'user-at', refreshToken: 'user-rt' });
  });

  it('another edit during the refresh (not of the tokens) keeps both', async () => {
    const { store, renew } = setup();
    store.beforeSave = () => store.userEdit({ webhookSecret: 'rotated' });
    expect(await renew('at0')).toMatchObject({ ok: true });
    expect(store.credentials).toMatchObject({
      accessToken: 'at1',
      refreshToken: 'rt1',
      webhookSecret: 'rotated',
    });
  });

  it('a refusal after the user already entered new tokens leaves the connection active', async () => {
    const { store, partner, renew } = setup();
    partner.fail = new PartnerApiError('reconnect_needed', 'Reconnect needed.', 400);
    partner.connector.refreshTokens = async () => {
      store.userEdit({ accessToken: 'user-at', refreshToken: 'user-rt' });
      throw partner.fail;
    };
    expect(await renew('at0')).toMatchObject({ ok: true, credentials: { accessToken: 'user-at' } });
    expect(store.status).toBe('active');
  });

  it('a connection of another location or one that is gone is not renewed', async () => {
    const { store, keeper, partner } = setup();
    expect(await keeper.renew(store, 'conn1', 'other-location', 'at0')).toMatchObject({
      ok: false,
      code: 'not_configured',
    });
    const gone = { ...store, load: async () => null } as unknown as CredentialStore;
    expect(await keeper.renew(gone, 'conn1', 'loc1', 'at0')).toMatchObject({
      ok: false,
      code: 'not_configured',
    });
    expect(partner.calls).toBe(0);
  });
});
