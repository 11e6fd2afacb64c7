/** Runs one GHL → partner work item against the connector. */
import type { ApplyResult, OutboundChange, SyncKind } from '../connectors/types.ts';
import type { EngineDeps } from './engine-types.ts';
import { mapFor } from '../connectors/mapping.ts';
import { ghlPrint } from './ghl-model.ts';
import type { Links, WorkItem } from './queue.ts';

export type StepOutcome = {
  status: 'done' | 'skipped';
  action: string;
  note?: string;
  objectId?: string | null;
  /** The partner may hold an older value we wrote over this change: write the winner there too. */
  reassert?: { data: unknown };
};

interface GhlPayload {
  data: unknown;
  /** Re-writes a winning change the partner lost to our own, older write (see to-ghl.ts). */
  reassert?: boolean;
}

export async function runToPartner(item: WorkItem, deps: EngineDeps, links: Links, dryRun: boolean): Promise<StepOutcome> {
  const connection = (await deps.connections()).find((c) => c.id === item.connectionId);
  if (!connection) return { status: 'skipped', action: `${item.op} ${item.kind}`, note: 'the connection was removed' };
  const connector = deps.connector(connection.kind);
  if (!connector) return { status: 'skipped', action: `${item.op} ${item.kind}`, note: `no connector for ${connection.kind}` };
  const kind = item.kind as SyncKind;
  const ghlId = item.ghlId!;
  const { data, reassert } = item.payload as GhlPayload;
  const known = links.byGhl(kind, connection.id, ghlId);
  // A deleted object's tombstone only serves the staleness check below.
  const link = known?.deleted ? undefined : known;
  const label = `${connector.label}`;
  const contactLink = links.byGhl('contact', connection.id, deps.contactId);
  const base = {
    ghlId,
    partnerId: link?.partnerId ?? undefined,
    contact: await deps.contact(),
    contactPartnerId: contactLink?.partnerId ?? undefined,
    contactGhlId: deps.contactId,
    occurredAt: new Date(item.changedAt ?? Date.now()).toISOString(),
  };
  const key = `cs:${deps.locationId}:${deps.contactId}:${item.id}`;
  const sourceAt = item.changedAt ?? null;
  // A late, reordered delivery must not roll back a newer state already synced.
  if (!reassert && known?.sourceAt && sourceAt && sourceAt < known.sourceAt) {
    return { status: 'skipped', action: `${item.op} ${kind} in ${label}`, note: 'an older change than the one already synced (reordered delivery)' };
  }

  if (kind === 'tag') {
    const next = new Set(((data as { tags?: string[] })?.tags ?? []).map((t) => t.toLowerCase()));
    const prev = new Set(((link?.state as string[] | undefined) ?? []).map((t) => t.toLowerCase()));
    const add = [...next].filter((t) => !prev.has(t));
    const remove = [...prev].filter((t) => !next.has(t));
    if (!add.length && !remove.length) return { status: 'skipped', action: `sync tags to ${label}`, note: 'tags already in sync' };
    const action = `tags to ${label}: ${[...add.map((t) => `+${t}`), ...remove.map((t) => `-${t}`)].join(' ')}`;
    if (dryRun) return { status: 'skipped', action, note: 'dry run: nothing written' };
    if (add.length) await connector.apply({ ...base, kind: 'tag', op: 'tag_add', data: { tags: add } }, connection, `${key}:add`);
    if (remove.length) await connector.apply({ ...base, kind: 'tag', op: 'tag_remove', data: { tags: remove } }, connection, `${key}:remove`);
    links.save({ kind, connectionId: connection.id, ghlId, partnerId: link?.partnerId ?? null, ghlFp: ghlPrint('tag', data), partnerFp: null, state: [...next], sourceAt });
    return { status: 'done', action };
  }

  if (item.op === 'delete') {
    if (!link?.partnerId) return { status: 'skipped', action: `delete ${kind} in ${label}`, note: 'never synced to the partner' };
    if (dryRun) return { status: 'skipped', action: `delete ${kind} in ${label}`, note: 'dry run: nothing written' };
    await connector.apply({ ...base, kind, op: 'delete', data: null } as OutboundChange, connection, key);
    links.bury(kind, connection.id, ghlId, sourceAt);
    return { status: 'done', action: `delete ${kind} in ${label}`, objectId: link.partnerId };
  }

  const print = ghlPrint(kind, data);
  if (!reassert && link && link.ghlFp === print) {
    return { status: 'skipped', action: `update ${kind} in ${label}`, note: 'no change since the last sync (echo of our own write)' };
  }
  const op = link?.partnerId ? 'update' : 'create';
  const action = `${op} ${kind} in ${label}`;
  if (dryRun) return { status: 'skipped', action, note: 'dry run: nothing written' };
  const result: ApplyResult = await connector.apply({ ...base, kind, op, data } as OutboundChange, connection, key);
  if (result.skipped !== undefined) return { status: 'skipped', action, note: result.skipped };
  links.save({ kind, connectionId: connection.id, ghlId, partnerId: result.partnerId, ghlFp: print, partnerFp: result.echoFingerprint, state: undefined, sourceAt, partnerWriteAt: Date.now() });
  const tags = (data as { tags?: unknown })?.tags;
  if (kind === 'contact' && Array.isArray(tags) && 'tags' in mapFor(connector.defaultFieldMaps, connection.settings, 'contact')) {
    // The contact carried its tags to the partner: the tag item that follows has nothing to add.
    const held = tags.map((t) => String(t).toLowerCase());
    const tagLink = links.byGhl('tag', connection.id, ghlId);
    links.save({ kind: 'tag', connectionId: connection.id, ghlId, partnerId: tagLink?.partnerId ?? result.partnerId, ghlFp: ghlPrint('tag', { tags: held }), partnerFp: null, state: held, sourceAt });
  }
  return { status: 'done', action, objectId: result.partnerId };
}
