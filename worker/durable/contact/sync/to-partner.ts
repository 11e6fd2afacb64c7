/** Runs one GHL → partner work item against the connector. */
import type { ApplyResult, OutboundChange, SyncKind } from '../../../connectors/types.ts';
import type { EngineDeps } from './engine-deps.ts';
import { mapFor } from '../../../connectors/mapping.ts';
import { PartnerApiError } from '../../../connectors/http.ts';
import { withFields } from '../../../sync/field-merge.ts';
import { agreed, needsWrite, recordWrite, type FieldConflict } from '../../../sync/field-record.ts';
import { ghlPrint } from '../../../sync/ghl-model.ts';
import { decideReports, reportsOf } from '../../../sync/item-reports.ts';
import type { ConflictPolicy } from '../../../sync/policy.ts';
import type { Links } from './queue.ts';
import type { GhlChangeItem, WorkItem } from '../../../sync/work.ts';
import { contactTags, mergeGhlSnapshot, readTagState, type TagDiff } from '../../../sync/tag-state.ts';

export type StepOutcome = {
  status: 'done' | 'skipped';
  action: string;
  note?: string;
  objectId?: string | null;
  /**
   * The other side may hold an older value that our own write put over this newer change: write
   * the winner there again (see restore.ts). `tags`: only these tags, for a tag change.
   */
  reassert?: { to: 'ghl' | 'partner'; tags?: string[] };
  /** Fields both sides changed, and who won each (logged as a conflict). */
  conflicts?: FieldConflict[];
  /** How the report's fields were decided, where that needs saying (field-record.ts). */
  fields?: string[];
};

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
  const { data, tagRuns } = item.payload;
  const known = links.byGhl(kind, connection.id, ghlId);
  // A deleted object's tombstone only serves the staleness checks below.
  const link = known?.deleted ? undefined : known;
  const label = `${connector.label}`;
  const { base, key } = await outbound(item, deps, links, ghlId, link?.partnerId);
  const sourceAt = item.changedAt ?? null;
  // GHL's own time of this change, for "was our GHL write later than it?".
  const changedAt = item.changedAt ?? 0;

  if (kind === 'tag') {
    // Tags are merged tag by tag (tag-state.ts): a whole-object staleness check would drop tags.
    const state = readTagState(link?.state, link?.sourceAt ?? 0);
    const diff = mergeGhlSnapshot(state, (data as { tags?: string[] })?.tags ?? [], changedAt, tagRuns);
    if (!diff.add.length && !diff.remove.length) {
      // Nothing to write, but the report may still date a tag (when GHL first showed it).
      if (link)
        links.save({
          kind,
          connectionId: connection.id,
          ghlId,
          partnerId: link.partnerId,
          ghlFp: link.ghlFp,
          partnerFp: link.partnerFp,
          state,
        });
      return { status: 'skipped', action: `sync tags to ${label}`, note: 'tags already in sync' };
    }
    const action = `tags to ${label}: ${describe(diff)}`;
    if (dryRun) return { status: 'skipped', action, note: 'dry run: nothing written' };
    if (diff.add.length)
      await connector.apply(
        { ...base, kind: 'tag', op: 'tag_add', data: { tags: diff.add } },
        connection,
        `${key}:add`,
      );
    if (diff.remove.length)
      await connector.apply(
        { ...base, kind: 'tag', op: 'tag_remove', data: { tags: diff.remove } },
        connection,
        `${key}:remove`,
      );
    links.save({
      kind,
      connectionId: connection.id,
      ghlId,
      partnerId: link?.partnerId ?? null,
      ghlFp: ghlPrint('tag', data),
      partnerFp: null,
      state,
      sourceAt,
      partnerWriteAt: Date.now(),
    });
    return { status: 'done', action };
  }

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

  // A contact carries its tags: a tag changed after this snapshot keeps its newer value.
  const carriesTags =
    kind === 'contact' &&
    Array.isArray((data as { tags?: unknown })?.tags) &&
    'tags' in mapFor(connector.defaultFieldMaps, connection.settings, 'contact');
  const tagLink = carriesTags ? links.byGhl('tag', connection.id, ghlId) : undefined;
  const tagState = carriesTags ? readTagState(tagLink?.state, tagLink?.sourceAt ?? 0) : undefined;
  const snapshotTags = carriesTags ? (data as { tags: string[] }).tags.map(String) : [];
  const sent = tagState
    ? { ...(content as object), tags: contactTags(tagState, snapshotTags, changedAt, tagRuns) }
    : content;

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
  if (tagState) {
    // The tags went with the contact: the tag item that follows has nothing left to write.
    mergeGhlSnapshot(tagState, snapshotTags, changedAt, tagRuns);
    links.save({
      kind: 'tag',
      connectionId: connection.id,
      ghlId,
      partnerId: tagLink?.partnerId ?? result.partnerId,
      ghlFp: ghlPrint('tag', { tags: snapshotTags }),
      partnerFp: null,
      state: tagState,
      sourceAt,
      partnerWriteAt: writtenAt,
    });
  }
  return {
    status: 'done',
    action,
    objectId: result.partnerId,
    ...(result.note ? { note: result.note } : {}),
    ...(reassert ? { reassert } : {}),
    ...told,
  };
}

/**
 * What every write of this item to the partner carries: the object's ids, its contact, when the
 * change was made, and the idempotency key (the same on every retry of the item).
 */
export async function outbound(
  item: WorkItem,
  deps: EngineDeps,
  links: Links,
  ghlId: string,
  partnerId: string | null | undefined,
) {
  const base = {
    ghlId,
    partnerId: partnerId ?? undefined,
    contact: await deps.contact(),
    contactPartnerId: links.byGhl('contact', item.connectionId, deps.contactId)?.partnerId ?? undefined,
    contactGhlId: deps.contactId,
    occurredAt: new Date(item.changedAt ?? Date.now()).toISOString(),
  };
  return { base, key: `cs:${deps.locationId}:${deps.contactId}:${item.id}` };
}

/** Work for a connection the partner stopped accepting waits for the reconnect (contact-engine parks it). */
export function awaitReconnect(connection: { status?: string }): void {
  if (connection.status === 'error')
    throw new PartnerApiError(
      'reconnect_needed',
      'The connection needs a reconnect; this change waits for it.',
    );
}

export function describe(diff: TagDiff): string {
  return [...diff.add.map((t) => `+${t}`), ...diff.remove.map((t) => `-${t}`)].join(' ');
}
