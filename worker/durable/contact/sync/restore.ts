/**
 * Writes the state both sides agreed on last (the ID map's `data`, or the tag record) to
 * one side again, where an older value may have landed over it:
 * - `reassert`: our own write of an older change reached a side after a newer change was made
 *   there (both sides edited within moments);
 * - `verify`: a partner write timed out, so the partner may still apply it later, over whatever
 *   we wrote since. It runs after the late write would have landed, and writes only when the
 *   timed-out content is not what the partner should hold anyway.
 */
import type { SyncContact, SyncKind } from '../../../connectors/types.ts';
import { mapFor } from '../../../connectors/mapping.ts';
import { PartnerApiError } from '../../../connectors/http.ts';
import { GhlError } from '../../../ghl/errors.ts';
import type { EngineDeps } from './engine-deps.ts';
import { recordWrite } from '../../../sync/field-record.ts';
import { ghlPrint } from '../../../sync/ghl-model.ts';
import type { Links } from './queue.ts';
import type { Link, RestoreItem, RestorePayload, RestoreReason, WorkItem } from '../../../sync/work.ts';
import { describe, heldTags, readTagRecord, recordWholeWrite } from '../../../sync/tag-record.ts';
import { restoreTags, saveTags } from './tag-steps.ts';
import { deleteInGhl, updateInGhl } from './to-ghl.ts';
import { awaitReconnect, outbound, type StepOutcome } from './step.ts';

/** A restore item (a replay renames the trigger, so the payload tells; see work.ts `workOf`). */
export const isRestore = (item: WorkItem): item is RestoreItem => item.type === 'restore';

export const restoreReason = (item: RestoreItem): RestoreReason => item.payload.reason;

export async function runRestore(
  item: RestoreItem,
  deps: EngineDeps,
  links: Links,
  dryRun: boolean,
): Promise<StepOutcome> {
  const action = `${restoreReason(item) === 'verify' ? 'check' : 'restore'} ${item.kind} in ${item.direction === 'to_partner' ? 'the partner' : 'GHL'}`;
  try {
    return await restore(item, deps, links, dryRun, action);
  } catch (err) {
    // Deleted on that side since: nothing to write back, and the delete syncs on its own.
    const gone =
      (err instanceof GhlError && err.kind === 'not_found') ||
      (err instanceof PartnerApiError && err.code === 'not_found');
    if (!gone) throw err;
    return { status: 'skipped', action, note: 'deleted there since' };
  }
}

async function restore(
  item: RestoreItem,
  deps: EngineDeps,
  links: Links,
  dryRun: boolean,
  action: string,
): Promise<StepOutcome> {
  const kind = item.kind as SyncKind;
  const payload = item.payload;
  const link = links.byGhl(kind, item.connectionId, item.ghlId ?? '');
  if (!link) return { status: 'skipped', action, note: 'never synced' };
  if (dryRun) return { status: 'skipped', action, note: 'dry run: nothing written' };
  if (kind !== 'tag' && !link.deleted && payload.uncertainFp && link.ghlFp === payload.uncertainFp) {
    return { status: 'skipped', action, note: 'the timed-out write carried what the partner should hold' };
  }
  return item.direction === 'to_partner'
    ? toPartner(item, deps, links, link, payload, action)
    : toGhl(item, deps, links, link, payload, action);
}

async function toPartner(
  item: RestoreItem,
  deps: EngineDeps,
  links: Links,
  link: Link,
  payload: RestorePayload,
  action: string,
): Promise<StepOutcome> {
  const connection = (await deps.connections()).find((c) => c.id === item.connectionId);
  const connector = connection ? deps.connector(connection.kind) : undefined;
  if (!connection || !connector)
    return { status: 'skipped', action, note: 'the connection was removed or paused' };
  awaitReconnect(connection);
  const kind = item.kind as SyncKind;
  const { base, key } = await outbound(item, deps, links, link.ghlId, link.partnerId);

  if (kind === 'tag') {
    const { diff } = await restoreTags(item, deps, links, link, 'partner', payload.tags, {
      connection,
      connector,
    });
    return {
      status: 'done',
      action: `${action}: ${describe(diff) || 'nothing to write'}`,
      objectId: link.ghlId,
    };
  }
  if (!link.partnerId) return { status: 'skipped', action, note: 'the partner never had it' };
  if (link.deleted) {
    await connector.apply(
      { ...base, kind, op: 'delete', data: null } as Parameters<typeof connector.apply>[0],
      connection,
      key,
    );
    return { status: 'done', action: `delete ${kind} in the partner again`, objectId: link.partnerId };
  }
  if (link.data === undefined) return { status: 'skipped', action, note: 'nothing recorded to write again' };
  let data = link.data;
  const tagLink =
    kind === 'contact' && 'tags' in mapFor(connector.defaultFieldMaps, connection.settings, 'contact')
      ? links.byGhl('tag', connection.id, link.ghlId)
      : undefined;
  const tags = tagLink ? readTagRecord(tagLink) : undefined;
  if (tags) data = { ...(data as SyncContact), tags: heldTags(tags) };
  const startedAt = Date.now();
  const result = await connector.apply(
    { ...base, kind, op: 'update', data } as Parameters<typeof connector.apply>[0],
    connection,
    key,
  );
  if (result.skipped !== undefined) return { status: 'skipped', action, note: result.skipped };
  const writtenAt = Date.now();
  const fields = link.fields
    ? recordWrite(link.fields, 'partner', link.data, startedAt, writtenAt)
    : undefined;
  links.save({
    ...link,
    partnerId: result.partnerId,
    partnerFp: result.echoFingerprint,
    partnerWriteAt: writtenAt,
    fields,
  });
  // The tags went too: a partner tag change made before this write may have been undone by it.
  if (tags) saveTags(links, connection.id, link.ghlId, tagLink, recordWholeWrite(tags, startedAt, writtenAt));
  return { status: 'done', action, objectId: result.partnerId };
}

async function toGhl(
  item: RestoreItem,
  deps: EngineDeps,
  links: Links,
  link: Link,
  payload: RestorePayload,
  action: string,
): Promise<StepOutcome> {
  const { ghl, contactId } = deps;
  const kind = item.kind as SyncKind;
  if (kind === 'tag') {
    const { diff } = await restoreTags(item, deps, links, link, 'ghl', payload.tags);
    return {
      status: 'done',
      action: `${action}: ${describe(diff) || 'nothing to write'}`,
      objectId: contactId,
    };
  }
  if (link.deleted) {
    await deleteInGhl(deps, kind, link.ghlId);
    return { status: 'done', action: `delete ${kind} in GHL again`, objectId: link.ghlId };
  }
  if (link.data === undefined) return { status: 'skipped', action, note: 'nothing recorded to write again' };
  const startedAt = Date.now();
  const held = await updateInGhl(deps, kind, link.ghlId, link.data);
  const fields = link.fields ? recordWrite(link.fields, 'ghl', held, startedAt, Date.now()) : undefined;
  links.save({ ...link, ghlFp: ghlPrint(kind, held), ghlWriteAt: Date.now(), fields });
  return { status: 'done', action, objectId: link.ghlId };
}
