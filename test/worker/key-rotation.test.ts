import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { app } from '../../worker/app.ts';
import { getConfig } from '../../worker/config.ts';
import { createConnection, openConnection } from '../../worker/tenants/connections.ts';
import { toBase64 } from '../../worker/crypto/encoding.ts';
import { unseal, UnreadableSealedValue } from '../../worker/crypto/seal.ts';
import { upsertInstall } from '../../worker/tenants/installs.ts';
import { TokenKeeper } from '../../worker/tenants/token-keeper.ts';
import { readTokens, writeTokens } from '../../worker/tenants/token-store.ts';
import { installedLocation, seedCompany } from './helpers.ts';
import { panelLocations, sessionToken } from './panel-helpers.ts';

/** TOKEN_ENCRYPTION_KEY rotation: the previous key still opens, writes move to the new key, nothing opens → reconnect. */

const randomKey = () => toBase64(crypto.getRandomValues(new Uint8Array(32)));
const keysEnv = (current: string, previous?: string): Env => ({
  ...env,
  TOKEN_ENCRYPTION_KEY: current,
  TOKEN_ENCRYPTION_KEY_PREVIOUS: previous ?? '',
});

async function sealedToken(resourceId: string): Promise<string> {
  return (await env.DB.prepare('SELECT sealed FROM tokens WHERE resource_id = ?')
    .bind(resourceId)
    .first<{ sealed: string }>())!.sealed;
}
async function sealedCredentials(id: string): Promise<string> {
  return (await env.DB.prepare('SELECT sealed_credentials FROM connections WHERE id = ?')
    .bind(id)
    .first<{ sealed_credentials: string }>())!.sealed_credentials;
}

/** An /api call through the app with the given configuration. */
async function api(workerEnv: Env, token: string, method: string, path: string, body?: unknown) {
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request(`http://app.test${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
    workerEnv,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: res.status, body: (await res.json()) as any };
}

describe('TOKEN_ENCRYPTION_KEY_PREVIOUS configuration', () => {
  it('is optional, and when set must be base64 of 32 bytes (named in the error)', () => {
    expect(getConfig(keysEnv(env.TOKEN_ENCRYPTION_KEY)).sealingKeys).toEqual({
      current: env.TOKEN_ENCRYPTION_KEY,
      previous: null,
    });
    const { TOKEN_ENCRYPTION_KEY_PREVIOUS: _unset, ...withoutName } = env;
    expect(getConfig(withoutName as unknown as Env).sealingKeys.previous).toBeNull();
    const old = randomKey();
    expect(getConfig(keysEnv(env.TOKEN_ENCRYPTION_KEY, old)).sealingKeys).toEqual({
      current: env.TOKEN_ENCRYPTION_KEY,
      previous: old,
    });
    expect(() => getConfig(keysEnv(env.TOKEN_ENCRYPTION_KEY, 'c2hvcnQ='))).toThrow(
      /TOKEN_ENCRYPTION_KEY_PREVIOUS/,
    );
  });
});

describe('GHL tokens across a key rotation', () => {
  it('opens tokens sealed under the previous key, and seals them under the new key on the next write', async () => {
    const { locationId } = await installedLocation(1);
    const oldKey = env.TOKEN_ENCRYPTION_KEY;
    const newKey = randomKey();
    const held = (await readTokens(env.DB, oldKey, locationId))!;
    // About to expire, so the keeper's first use refreshes them: the next write.
    await writeTokens(env.DB, oldKey, locationId, { ...held.tokens, expiresAt: Date.now() + 10_000 });

    const rotated = getConfig(keysEnv(newKey, oldKey));
    await expect(readTokens(env.DB, newKey, locationId)).rejects.toBeInstanceOf(UnreadableSealedValue);
    expect((await readTokens(env.DB, rotated.sealingKeys, locationId))!.tokens.refreshToken).toBe(
      held.tokens.refreshToken,
    );

    const fresh = await new TokenKeeper({ db: env.DB, config: rotated, resourceId: locationId }).current();
    expect(fresh.accessToken).not.toBe(held.tokens.accessToken);
    const sealed = await sealedToken(locationId);
    expect(JSON.parse(await unseal(newKey, sealed, locationId)).accessToken).toBe(fresh.accessToken);
    await expect(unseal(oldKey, sealed, locationId)).rejects.toThrow();
    expect(
      (await readTokens(env.DB, getConfig(keysEnv(newKey)).sealingKeys, locationId))!.tokens.accessToken,
    ).toBe(fresh.accessToken);
  });

  it('an install whose tokens no key opens answers 409 reconnect_needed on /api/*, never 500', async () => {
    // As after a restart with a new key: rows from before, an object that has not loaded them yet.
    const seed = await seedCompany(1, 1);
    const location = seed.locations[0] as (typeof seed.locations)[number] & { userIds: string[] };
    await upsertInstall(env.DB, {
      resourceId: location.id,
      kind: 'location',
      companyId: seed.companyId,
      name: location.name,
      status: 'active',
    });
    const tokens = {
      accessToken: 'at-old',
      refreshToken: 'rt-old',
      expiresAt: Date.now() + 3600_000,
      userType: 'Location',
      companyId: seed.companyId,
      locationId: location.id,
      scope: '',
    };
    await writeTokens(env.DB, randomKey(), location.id, tokens as Parameters<typeof writeTokens>[3]);
    const token = await sessionToken({
      userId: location.userIds[0]!,
      companyId: seed.companyId,
      activeLocation: location.id,
      role: 'admin',
    });

    const contacts = await api(env, token, 'GET', '/api/contacts');
    expect(contacts.status).toBe(409);
    expect(contacts.body.error.code).toBe('reconnect_needed');
    const install = await env.DB.prepare('SELECT status, last_error FROM installs WHERE resource_id = ?')
      .bind(location.id)
      .first<{ status: string; last_error: string }>();
    expect(install).toMatchObject({ status: 'reconnect_needed' });
    expect(install!.last_error).toContain('TOKEN_ENCRYPTION_KEY');
    // Every data route now sends the panel to its reconnect screen.
    const settings = await api(env, token, 'GET', '/api/settings');
    expect(settings.status).toBe(409);
    expect(settings.body.error.code).toBe('reconnect_needed');
  });
});

describe('partner connection credentials across a key rotation', () => {
  const yourApp = (name: string) => ({
    kind: 'yourapp',
    name,
    credentials: { webhookSecret: `whsec_${randomKey()}`, apiKey: 'ya-key' },
    settings: { webhookUrl: 'https://partner.example.com/hooks' },
  });

  it('reads them with the previous key, reseals them under the new key when the connection is next saved', async () => {
    const [A] = await panelLocations(1, 1);
    const oldKey = randomKey();
    const newKey = randomKey();
    const { connection } = await createConnection(keysEnv(oldKey), {
      ...yourApp('Rotated'),
      locationId: A!.locationId,
    });
    const before = await sealedCredentials(connection.id);

    const listed = await api(keysEnv(newKey, oldKey), A!.token, 'GET', '/api/connections');
    expect(listed.status).toBe(200);
    expect(listed.body.connections[0]).toMatchObject({
      id: connection.id,
      status: 'active',
      credentialNames: ['apiKey', 'webhookSecret'],
    });
    // Reading does not rewrite; the next save does.
    expect(await sealedCredentials(connection.id)).toBe(before);

    const renamed = await api(
      keysEnv(newKey, oldKey),
      A!.token,
      'PATCH',
      `/api/connections/${connection.id}`,
      { name: 'Renamed' },
    );
    expect(renamed.status).toBe(200);
    const after = await sealedCredentials(connection.id);
    expect(JSON.parse(await unseal(newKey, after, `connection:${connection.id}`))).toEqual(
      JSON.parse(await unseal(oldKey, before, `connection:${connection.id}`)),
    );
    await expect(unseal(oldKey, after, `connection:${connection.id}`)).rejects.toThrow();
    const onlyNew = await api(keysEnv(newKey), A!.token, 'GET', '/api/connections');
    expect(onlyNew.body.connections[0]).toMatchObject({
      status: 'active',
      credentialNames: ['apiKey', 'webhookSecret'],
    });
  });

  it('credentials no key opens show the connection as reconnect_needed (never 500) until new ones are entered', async () => {
    const [A] = await panelLocations(1, 1);
    const lost = randomKey();
    const newKey = randomKey();
    const { connection, inboundUrl } = await createConnection(keysEnv(lost), {
      ...yourApp('Lost key'),
      locationId: A!.locationId,
    });

    const listed = await api(keysEnv(newKey), A!.token, 'GET', '/api/connections');
    expect(listed.status).toBe(200);
    expect(listed.body.connections).toHaveLength(1);
    expect(listed.body.connections[0]).toMatchObject({
      id: connection.id,
      status: 'reconnect_needed',
      credentialNames: [],
    });
    expect(listed.body.connections[0].lastError).toMatch(/reconnect/i);

    // The engine sees a connection waiting for a reconnect instead of failing the whole location.
    const open = await openConnection(keysEnv(newKey), connection.id);
    expect(open).toMatchObject({ id: connection.id, status: 'error', credentials: {} });

    // Inbound webhooks cannot be verified: refused (401), not a 500.
    const body = JSON.stringify({
      type: 'contact.updated',
      timestamp: new Date().toISOString(),
      data: { id: 'p1', email: 'p@example.com' },
    });
    const at = new Date();
    const ctx = createExecutionContext();
    const hook = await app.fetch(
      new Request(inboundUrl, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'webhook-id': 'msg_k1',
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': new Webhook(yourApp('x').credentials.webhookSecret).sign('msg_k1', at, body),
        },
      }),
      keysEnv(newKey),
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(hook.status).toBe(401);

    // Part of the credentials is not enough: the unreadable ones count as none.
    const partial = await api(keysEnv(newKey), A!.token, 'PATCH', `/api/connections/${connection.id}`, {
      credentials: { apiKey: 'only-this' },
    });
    expect(partial.status).toBe(400);
    expect(partial.body.error.code).toBe('invalid_credentials');
    const fresh = yourApp('x').credentials;
    const fixed = await api(keysEnv(newKey), A!.token, 'PATCH', `/api/connections/${connection.id}`, {
      credentials: fresh,
    });
    expect(fixed.status).toBe(200);
    // Readable again: active, and no longer the reconnect message (the save's ping of the partner URL,
    // which nothing answers here, may leave its own note).
    expect(fixed.body.connection).toMatchObject({
      status: 'active',
      credentialNames: ['apiKey', 'webhookSecret'],
    });
    expect(fixed.body.connection.lastError ?? '').not.toMatch(/reconnect/i);
    expect(
      JSON.parse(await unseal(newKey, await sealedCredentials(connection.id), `connection:${connection.id}`)),
    ).toEqual(fresh);
  });
});
