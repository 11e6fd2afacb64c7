/**
 * A recipe's writes at the partner apps (catalog/partner-actions.ts), for one contact: through
 * the connectors, with the contact's record and partner id added. They honour the location's dry
 * run as the sync does (nothing reaches the partner; the step ends skipped and says so), and each
 * one is a row of the location's sync log, trigger `automation`, naming the recipe behind it.
 */
import type { PartnerWrite, PartnerWrites, WriteOrigin } from '../automations/catalog/types.ts';
import { StepSkipped } from '../automations/step-skipped.ts';
import { connectorFor } from '../connectors/registry.ts';
import { supports, type ApplyResult, type OutboundChange } from '../connectors/types.ts';
import { withTrace, type TracedRequest } from '../lib/request-trace.ts';
import type { SyncLogInput } from '../sync-log/entry.ts';
import { AUTOMATION_WORK_PREFIX } from '../sync-log/read.ts';
import { subjectOfData } from '../sync-log/subject.ts';
import { contactFromGhl } from '../sync/ghl-model.ts';
import { DRY_RUN } from '../sync/partner-gate.ts';
import type { ConnectionsCache } from './connections-cache.ts';
import { Links } from './contact/sync/queue.ts';
import type { LocationGhlApi } from './ghl-api.ts';

export interface PartnerWriteDeps {
  sql: SqlStorage;
  connections: ConnectionsCache;
  ghl: LocationGhlApi;
  contactId: string;
  /** The location's dry run setting, as the contact's sync reads it. */
  dryRun(): Promise<boolean>;
  /** Writes a row of the location's sync log. */
  log(row: SyncLogInput): Promise<void>;
}

/** The sync log's words for a write (`<op> <kind> in <app>`, as the engine's rows): a cancel is a delete. */
function actionWords(origin: WriteOrigin, write: PartnerWrite, label: string): string {
  const op = origin.action === 'partner.booking.cancel' ? 'delete' : write.op;
  return `${op} ${write.kind} in ${label}`;
}

/** Partner writes for `origin`'s recipe step, for this contact. */
export function partnerWrites(deps: PartnerWriteDeps, origin: WriteOrigin): PartnerWrites {
  const { sql, connections, ghl, contactId } = deps;
  return {
    targets: async (kind, op) =>
      (await connections.get())
        .filter((c) => {
          const connector = connectorFor(c.kind);
          return connector && supports(connector.capabilities, 'outbound', kind, op);
        })
        .map((c) => ({ id: c.id, kind: c.kind, name: c.name })),
    apply: async (connectionId, write, key) => {
      const connection = (await connections.get()).find((c) => c.id === connectionId);
      const connector = connection && connectorFor(connection.kind);
      if (!connection || !connector) throw new Error(`connection ${connectionId} is not active`);
      const row = {
        workKey: `${AUTOMATION_WORK_PREFIX}${key}`,
        trigger: 'automation',
        action: actionWords(origin, write, connector.label),
        objectKind: write.kind,
        objectId: 'partnerId' in write ? write.partnerId : null,
        contactId,
        connectionId,
        attempts: origin.attempt,
        subject: subjectOfData(write.kind, write.data),
        detail: {
          recipe: { id: origin.recipeId, name: origin.recipeName },
          action: origin.action,
          step: origin.step,
          ...(origin.runKey ? { run: origin.runKey } : {}),
        },
      } satisfies Omit<SyncLogInput, 'status'>;
      if (await deps.dryRun()) {
        const wouldWrite = { connectionId, connection: connection.name, write };
        await deps.log({ ...row, status: 'skipped', error: DRY_RUN, detail: { ...row.detail, wouldWrite } });
        throw new StepSkipped(DRY_RUN, { dryRun: true, wouldWrite });
      }
      const contact = contactFromGhl(await ghl.getContact(contactId));
      const link = new Links(sql).byGhl('contact', connectionId, contactId);
      const change = {
        ...write,
        // Not a GHL object: the partner's report of it comes back through the sync.
        ghlId: '',
        contact,
        ...(link?.partnerId ? { contactPartnerId: link.partnerId } : {}),
        contactGhlId: contactId,
        occurredAt: new Date().toISOString(),
      } as OutboundChange;
      const contactName = subjectOfData('contact', contact);
      let requests: TracedRequest[] = [];
      let result: ApplyResult;
      try {
        result = await withTrace(async (take) => {
          try {
            return await connector.apply(change, connection, key);
          } finally {
            requests = take();
          }
        });
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        await deps.log({
          ...row,
          contactName,
          requests,
          status: origin.lastTry ? 'failed' : 'retrying',
          error,
        });
        throw err;
      }
      await deps.log({
        ...row,
        contactName,
        requests,
        objectId: result.partnerId ?? row.objectId,
        status: result.skipped === undefined ? 'done' : 'skipped',
        error: result.skipped ?? null,
      });
      return result;
    },
    known: async (connectionId, kind, partnerId) => {
      const data = new Links(sql).byPartner(kind, connectionId, partnerId)?.data;
      return data && typeof data === 'object' ? (data as Record<string, unknown>) : null;
    },
  };
}
