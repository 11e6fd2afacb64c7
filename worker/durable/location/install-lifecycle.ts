import { getConfig } from '../../config.ts';
import { listInstalledLocations, mintLocationToken, OAuthError, type TokenSet } from '../../ghl/oauth.ts';
import { forgetFrameHostsOfGoneAgency, recordWhitelabelDomain } from '../../tenants/frame-domains.ts';
import { getInstall, listCompanyLocations, setInstallStatus, upsertInstall } from '../../tenants/installs.ts';
import { ReconnectNeeded } from '../../tenants/token-keeper.ts';
import { deleteTokens } from '../../tenants/token-store.ts';
import { appIdOf, notForThisApp } from '../../webhooks/audience.ts';
import type { GhlEvent } from '../../webhooks/events.ts';
import type { GhlAccess } from './ghl-access.ts';
import type { ResourceIdentity } from './identity.ts';
import type { InboxRow, WebhookInbox } from './inbox.ts';
import { tenantStub } from '../stubs.ts';

export interface InstallMeta {
  companyId?: string | null;
  name?: string | null;
  installKind: 'location' | 'agency';
}

/**
 * A resource's install: storing its tokens, minting location tokens from an agency's, bulk
 * provisioning, uninstall, and the INSTALL/UNINSTALL webhooks that drive them.
 */
export class InstallLifecycle {
  private readonly env: Env;
  private readonly identity: ResourceIdentity;
  private readonly access: GhlAccess;
  private readonly inbox: WebhookInbox;

  constructor(env: Env, identity: ResourceIdentity, access: GhlAccess, inbox: WebhookInbox) {
    this.env = env;
    this.identity = identity;
    this.access = access;
    this.inbox = inbox;
  }

  /** Stores a fresh token pair for this resource and marks the install active. */
  async install(tokens: TokenSet, meta: InstallMeta): Promise<void> {
    await upsertInstall(this.env.DB, {
      resourceId: this.identity.installKey,
      kind: this.identity.isCompany ? 'company' : 'location',
      companyId: meta.companyId ?? tokens.companyId ?? null,
      name: meta.name ?? null,
      status: 'active',
      installKind: meta.installKind,
      lastError: null,
    });
    await this.access.keeper().store(tokens);
    this.identity.uninstalled = false;
  }

  /** Agency object only: mints a location token from the agency token, or null when it has none. */
  async mintLocationToken(locationId: string): Promise<TokenSet | null> {
    if (!this.identity.isCompany) throw new Error('only an agency object mints location tokens');
    const keeper = this.access.keeper();
    let company: TokenSet;
    try {
      company = await keeper.current();
    } catch (err) {
      if (err instanceof ReconnectNeeded) return null;
      throw err;
    }
    try {
      return await mintLocationToken(getConfig(this.env), company, locationId);
    } catch (err) {
      if (!(err instanceof OAuthError) || err.status !== 401) throw err;
      // A dead agency access token: refresh once and try again.
      company = await keeper.refresh(company.accessToken);
      return mintLocationToken(getConfig(this.env), company, locationId);
    }
  }

  /**
   * Agency object only: after a bulk install, mint and store a token for every location where
   * the app is installed. Returns the locations that are ready.
   */
  async provisionLocations(): Promise<{ id: string; name: string; ok: boolean }[]> {
    const company = await this.access.keeper().current();
    const locations = await listInstalledLocations(getConfig(this.env), company);
    const out: { id: string; name: string; ok: boolean }[] = [];
    for (const loc of locations) {
      try {
        const tokens = await this.mintLocationToken(loc.id);
        if (!tokens) throw new Error('agency token unavailable');
        await tenantStub(this.env, loc.id).install(loc.id, tokens, {
          companyId: company.companyId,
          name: loc.name,
          installKind: 'agency',
        });
        out.push({ ...loc, ok: true });
      } catch (err) {
        console.error('provision location failed', loc.id, String(err));
        out.push({ ...loc, ok: false });
      }
    }
    return out;
  }

  /**
   * Removes this resource's tokens and stops its work; an agency takes its bulk-installed
   * locations along. The agency's frame hosts go with its last install.
   */
  async uninstall(): Promise<void> {
    const installKey = this.identity.installKey;
    const companyId = this.identity.isCompany
      ? installKey
      : (await getInstall(this.env.DB, installKey))?.companyId;
    await deleteTokens(this.env.DB, installKey);
    await setInstallStatus(this.env.DB, installKey, 'uninstalled', null);
    this.access.keeper().forget();
    this.identity.uninstalled = true;
    this.inbox.dropContactWork();
    if (this.identity.isCompany) {
      for (const loc of await listCompanyLocations(this.env.DB, installKey)) {
        if (loc.installKind === 'agency' && loc.status !== 'uninstalled')
          await tenantStub(this.env, loc.resourceId).uninstall(loc.resourceId);
      }
    }
    if (companyId) await forgetFrameHostsOfGoneAgency(this.env.DB, companyId);
  }

  /** Whether this resource can do work right now. */
  async status() {
    return (await getInstall(this.env.DB, this.identity.installKey))?.status ?? 'missing';
  }

  /** Handles one stored INSTALL or UNINSTALL event; a failure retries, and the last one asks for a reconnect. */
  async handle(row: InboxRow): Promise<void> {
    // The webhook route stores only our own; this also covers rows stored before it checked.
    const foreign = notForThisApp(
      JSON.parse(row.body) as Record<string, unknown>,
      appIdOf(getConfig(this.env).clientId),
    );
    if (foreign) {
      this.inbox.markSkipped(row.seq, `not for this app: ${foreign}`);
      return;
    }
    try {
      if (row.type === 'INSTALL') await recordWhitelabelDomain(this.env.DB, JSON.parse(row.body) as GhlEvent);
      if (row.type === 'UNINSTALL') await this.uninstall();
      else if (!this.identity.isCompany) await this.completeInstall(JSON.parse(row.body) as GhlEvent);
      this.inbox.markDone(row.seq, row.attempts);
    } catch (err) {
      const state = this.inbox.retry(row.seq, row.attempts, err, 1000);
      if (state === 'failed')
        await setInstallStatus(
          this.env.DB,
          this.identity.installKey,
          'reconnect_needed',
          `install did not complete: ${String(err)}`,
        );
    }
  }

  /**
   * INSTALL for a location: a sub-account install already stored its token; an agency install
   * mints one from the agency token, which may not exist yet if the webhook beat the code
   * exchange (then this retries, and the exchange also provisions every location).
   */
  private async completeInstall(event: GhlEvent): Promise<void> {
    const installKey = this.identity.installKey;
    const install = await getInstall(this.env.DB, installKey);
    const hasTokens = await this.env.DB.prepare('SELECT 1 FROM tokens WHERE resource_id = ?')
      .bind(installKey)
      .first();
    if (install?.status === 'active' && hasTokens) return;
    const companyId = event.companyId;
    if (!companyId) throw new Error('INSTALL without companyId and no token from a code exchange yet');
    if (!install) {
      await upsertInstall(this.env.DB, {
        resourceId: installKey,
        kind: 'location',
        companyId,
        status: 'pending',
        installKind: 'agency',
      });
    }
    const tokens = await tenantStub(this.env, `company:${companyId}`).mintLocationToken(
      `company:${companyId}`,
      installKey,
    );
    if (!tokens) throw new Error('agency token not stored yet');
    await this.install(tokens, { companyId, installKind: 'agency', name: install?.name ?? null });
  }
}
