/** Runs one GHL → partner work item against the connector. */
import type { ApplyResult, OutboundChange, SyncKind } from '../../../connectors/types.ts';
import type { EngineDeps } from './engine-deps.ts';
import { mapFor } from '../../../connectors/mapping.ts';
import { withFields } from '../../../sync/field-merge.ts';
import { agreed, needsWrite, recordWrite, type FieldConflict } from '../../../sync/field-record.ts';
import { ghlPrint } from '../../../sync/ghl-model.ts';
import { decideReports, reportsOf } from '../../../sync/item-reports.ts';
import type { ConflictPolicy } from '../../../sync/policy.ts';
import type { Links } from './queue.ts';
import type { GhlChangeItem, WorkItem } from '../../../sync/work.ts';
import { decideGhlReports, heldTags, readTagRecord, recordWholeWrite } from '../../../sync/tag-record.ts';
import { saveTags, tagsToPartner } from './tag-steps.ts';
import { awaitReconnect, outbound, type StepOutcome } from './step.ts';

export async function runToPartner(
  item: GhlChangeItem,
  deps: EngineDeps,
  links: Links,
  dryRun: boolean,
  policy: ConflictPolicy,
): Promise<StepOutcome> {
  const connection = (await deps.connections()).find((c) => c.id === item.connectionId);
  if (!connection)
    return {
      status: 'skipped',
      action: `${item.op} ${item.kind}`,
      note: 'the connection was removed or paused',
    };
  const connector = deps.connector(connection.kind);
  if (!connector)
    return {
      status: 'skipped',
      action: `${item.op} ${item.kind}`,
      note: `no connector for ${connection.kind}`,
    };
  awaitReconnect(connection);
  const kind = item.kind as SyncKind;
  const ghlId = item.ghlId!;
  const { data } = item.payload;
  const known = links.byGhl(kind, connection.id, ghlId);
  // A deleted object's tombstone only serves the staleness checks below.
  const link = known?.deleted ? undefined : known;
  const label = `${connector.label}`;
  const { base, key } = await outbound(item, deps, links, ghlId, link?.partnerId);
  const sourceAt = item.changedAt ?? null;
  // GHL's own time of this change, for "was our GHL write later than it?".
  const changedAt = item.changedAt ?? 0;

  if (kind === 'tag') return tagsToPartner(item, deps, links, { connection, connector }, dryRun, policy);

  // GHL does not bring a deleted object back: its report from before we saw the delete is late.
  if (known?.deleted && item.op !== 'delete' && changedAt > 0 && changedAt <= (known.syncedAt ?? 0)) {
    return {
      status: 'skipped',
      action: `${item.op} ${kind} in ${label}`,
      note: 'deleted on both sides since (a late report about it)',
    };
  }

  if (item.op === 'delete') {
    // A late, reordered delivery must not roll back a newer state already synced.
    if (known?.sourceAt && sourceAt && sourceAt < known.sourceAt) {
      return {
        status: 'skipped',
        action: `delete ${kind} in ${label}`,
        note: 'an older change than the one already synced (reordered delivery)',
      };
    }
    if (!link?.partnerId) {
      // Its creation may still be on its way (a late webhook): remember the delete, so it is stale then.
      if (!known) links.buryUnsyncedGhl(kind, connection.id, ghlId, sourceAt);
      return { status: 'skipped', action: `delete ${kind} in ${label}`, note: 'never synced to the partner' };
    }
    if (dryRun)
      return { status: 'skipped', action: `delete ${kind} in ${label}`, note: 'dry run: nothing written' };
    await connector.apply({ ...base, kind, op: 'delete', data: null } as OutboundChange, connection, key);
    links.bury(kind, connection.id, ghlId, sourceAt);
    return { status: 'done', action: `delete ${kind} in ${label}`, objectId: link.partnerId };
  }

  const print = ghlPrint(kind, data);
  const reports = reportsOf(item.payload, item.changedAt);
  const op = link?.partnerId ? 'update' : 'create';
  const action = `${op} ${kind} in ${label}`;
  // Field by field: what GHL's reports change, however late they come (field-record.ts).
  const decision = decideReports(link, reports, 'ghl', policy, Date.now());
  const told = {
    ...(decision.conflicts.length ? { conflicts: decision.conflicts } : {}),
    ...(decision.log.length ? { fields: decision.log } : {}),
  };
  const content = withFields(link?.data ?? data, agreed(decision.record));
  // GHL may hold an older value than the agreed one: our write of an older change landed over
  // a newer one made there, or the partner's newer change won.
  const reassert: StepOutcome['reassert'] =
    link && needsWrite(decision.record, 'ghl') ? { to: 'ghl' } : undefined;
  if (link?.partnerId && !needsWrite(decision.record, 'partner')) {
    if (dryRun) return { status: 'skipped', action, note: 'dry run: nothing written' };
    links.saveRecord(kind, connection.id, ghlId, decision.record, content);
    const note = Object.keys(decision.changed).length
      ? 'the partner holds this already'
      : decision.older.length
        ? 'an older change than the one already synced (reordered delivery)'
        : 'nothing new from GHL (an echo of our own write, or what was synced already)';
    return { status: 'skipped', action, note, ...told, ...(reassert ? { reassert } : {}) };
  }
  if (dryRun) return { status: 'skipped', action, note: 'dry run: nothing written' };

  // A contact carries its tags: GHL's tag sets in its reports are decided as a tag item's are,
  // so a tag changed after this snapshot keeps its newer value.
  const carriesTags =
    kind === 'contact' &&
    Array.isArray((data as { tags?: unknown })?.tags) &&
    'tags' in mapFor(connector.defaultFieldMaps, connection.settings, 'contact');
  const tagLink = carriesTags ? links.byGhl('tag', connection.id, ghlId) : undefined;
  const tags = carriesTags
    ? decideGhlReports(readTagRecord(tagLink), reports, policy, Date.now()).record
    : undefined;
  const sent = tags ? { ...(content as object), tags: heldTags(tags) } : content;

  const startedAt = Date.now();
  const result: ApplyResult = await connector.apply(
    { ...base, kind, op, data: sent } as OutboundChange,
    connection,
    key,
  );
  if (result.skipped !== undefined) return { status: 'skipped', action, note: result.skipped };
  const writtenAt = Date.now();
  const fields = recordWrite(decision.record, 'partner', content, startedAt, writtenAt);
  links.save({
    kind,
    connectionId: connection.id,
    ghlId,
    partnerId: result.partnerId,
    ghlFp: print,
    partnerFp: result.echoFingerprint,
    state: undefined,
    sourceAt,
    partnerWriteAt: writtenAt,
    data: sent,
    fields,
  });
  // The tags went with the contact: the tag item that follows has nothing left to write.
  if (tags)
    saveTags(
      links,
      connection.id,
      ghlId,
      tagLink,
      recordWholeWrite(tags, startedAt, writtenAt),
      tagLink?.partnerId ?? result.partnerId,
    );
  return {
    status: 'done',
    action,
    objectId: result.partnerId,
    ...(result.note ? { note: result.note } : {}),
    ...(reassert ? { reassert } : {}),
    ...told,
  };
}
