import { checkCredentials, checkSettings } from '../../connectors/connection-checks.ts';
import { testConnection } from '../../connectors/connection-test.ts';
import {
  createConnection,
  deleteConnection,
  getConnection,
  openConnection,
  recordCheck,
  updateConnection,
} from '../../tenants/connections.ts';
import { connectionFieldMapError } from '../../connectors/partner-fields.ts';
import { connectorFor } from '../../connectors/registry.ts';
import type { ConnectionSettings, Connector, ConnectorConnection } from '../../connectors/types.ts';
import { AppError } from '../../errors.ts';

/**
 * Saving a connection tests it with the partner. Where the test uses only what the admin typed
 * (Cal.com: its key or tokens against GET /v2/me) a refusal refuses the save; elsewhere (your
 * app may not know a secret minted just now) the connection is kept, marked with the partner's
 * answer. A partner whose webhook we can make through its API gets it made here.
 */

/** Kinds whose test uses only what the admin typed: a refusal refuses the save. */
export const REFUSE_ON_FAILED_CHECK = new Set(['calcom']);

/** The connection as it would be saved, for a test before saving. */
export function draftConnection(
  locationId: string,
  kind: string,
  settings: ConnectionSettings,
  credentials: Record<string, string>,
  id = 'conn_draft',
): ConnectorConnection {
  return { id, locationId, kind, settings, credentials, inboundSecretHash: null, createdAt: Date.now() };
}

export async function refuseUnlessAccepted(draft: ConnectorConnection, inboundUrl: string) {
  const check = await testConnection(draft, inboundUrl);
  if (check.state === 'failed') throw new AppError(422, 'connection_check_failed', check.message);
}

export function refuseUnknownFields(connector: Connector, settings: Record<string, unknown> | undefined) {
  const why = settings?.fieldMap
    ? connectionFieldMapError(connector, checkSettings(settings).fieldMap)
    : null;
  if (why) throw new AppError(400, 'invalid_field_map', why);
}

export interface NewCheckedConnection {
  kind: string;
  name: string;
  credentials?: Record<string, string>;
  settings?: Record<string, unknown>;
}

/** Creates, registers the partner's webhook where it can, tests, and answers what the panel shows. */
export async function createCheckedConnection(env: Env, locationId: string, body: NewCheckedConnection) {
  const connector = connectorFor(body.kind)!;
  refuseUnknownFields(connector, body.settings);
  if (REFUSE_ON_FAILED_CHECK.has(connector.kind)) {
    const draft = draftConnection(
      locationId,
      connector.kind,
      checkSettings(body.settings),
      checkCredentials(connector, { ...connector.mintSecrets?.(), ...body.credentials }),
    );
    await refuseUnlessAccepted(draft, '');
  }
  const created = await createConnection(env, { ...body, locationId });
  const id = created.connection.id;
  let webhookRegistered = false;
  if (connector.registerWebhook) {
    const open = (await openConnection(env, id))!;
    try {
      const extra = await connector.registerWebhook(open, created.connection.inboundUrl);
      await updateConnection(env, id, locationId, { settings: { ...open.settings, ...extra } });
      webhookRegistered = true;
    } catch (err) {
      await deleteConnection(env, id, locationId);
      throw new AppError(
        422,
        'webhook_registration_failed',
        `${connector.label} did not take the webhook: ${err instanceof Error ? err.message : String(err)}`.slice(
          0,
          500,
        ),
      );
    }
  }
  const check = await testConnection((await openConnection(env, id))!, created.connection.inboundUrl);
  await recordCheck(env, id, locationId, check.state === 'failed' ? check.message : null);
  const connection = (await getConnection(env, id, locationId))!;
  // A webhook we registered carries its secret already: nothing to paste into the partner.
  const secrets = webhookRegistered ? {} : created.secrets;
  return { ...created, connection, secrets, webhookRegistered, check };
}
