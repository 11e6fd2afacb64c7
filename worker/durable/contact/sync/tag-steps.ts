/**
 * A contact's tags, synced tag by tag over one record (sync/tag-record.ts): GHL's tag sets to
 * the partner, a partner's adds and removes to GHL, and writing the agreed tags to one side again.
 */
import type { Connector, ConnectorConnection } from '../../../connectors/types.ts';
import type { ConflictPolicy, Side } from '../../../sync/policy.ts';
import { reportsOf } from '../../../sync/item-reports.ts';
import {
  decideGhlReports,
  decidePartnerTags,
  describe,
  isEmpty,
  knownTags,
  readTagRecord,
  recordTagWrite,
  restate,
  tagsBehind,
  type TagDecision,
  type TagDiff,
  type TagRecord,
} from '../../../sync/tag-record.ts';
import type { GhlChangeItem, Link, PartnerChangeItem, WorkItem } from '../../../sync/work.ts';
import type { EngineDeps } from './engine-deps.ts';
import type { Links } from './queue.ts';
import { outbound, type StepOutcome } from './step.ts';

/** GHL's tag sets (every report the item stands for) to the partner. */
export async function tagsToPartner(
  item: GhlChangeItem,
  deps: EngineDeps,
  links: Links,
  target: { connection: ConnectorConnection; connector: Connector },
  dryRun: boolean,
  policy: ConflictPolicy,
): Promise<StepOutcome> {
  const link = links.byGhl('tag', item.connectionId, deps.contactId);
  const decision = decideGhlReports(
    readTagRecord(link),
    reportsOf(item.payload, item.changedAt),
    policy,
    Date.now(),
  );
  const diff = tagsBehind(decision.record, 'partner');
  const told = {
    ...toldOf(decision),
    ...(dryRun ? {} : reassertOf('ghl', tagsBehind(decision.record, 'ghl'))),
  };
  const label = target.connector.label;
  if (isEmpty(diff)) {
    if (!dryRun) saveTags(links, item.connectionId, deps.contactId, link, decision.record);
    return { status: 'skipped', action: `sync tags to ${label}`, note: 'tags already in sync', ...told };
  }
  const action = `tags to ${label}: ${describe(diff)}`;
  if (dryRun) return { status: 'skipped', action, note: 'dry run: nothing written' };
  const written = await writeToPartner(item, deps, links, target, link, diff);
  saveTags(
    links,
    item.connectionId,
    deps.contactId,
    link,
    recordTagWrite(decision.record, 'partner', diff, ...written),
  );
  return { status: 'done', action, ...told };
}

/** A partner's add or remove of tags to GHL. */
export async function tagsToGhl(
  item: PartnerChangeItem,
  deps: EngineDeps,
  links: Links,
  dryRun: boolean,
  policy: ConflictPolicy,
): Promise<StepOutcome> {
  const change = item.payload as typeof item.payload & {
    op: 'tag_add' | 'tag_remove';
    data: { tags: string[] };
  };
  const verb = change.op === 'tag_add' ? 'add' : 'remove';
  const link = links.byGhl('tag', change.connectionId, deps.contactId);
  const [report] = reportsOf(change, item.changedAt);
  const decision = decidePartnerTags(
    readTagRecord(link),
    change.op,
    change.data.tags,
    report?.at ?? null,
    policy,
    Date.now(),
  );
  const diff = spelled(tagsBehind(decision.record, 'ghl'), change.data.tags);
  // The partner holds an older value: our write of an older change landed over this one there,
  // or GHL's newer change matched what the partner had, so it was never written there.
  const told = {
    ...toldOf(decision),
    ...(dryRun ? {} : reassertOf('partner', tagsBehind(decision.record, 'partner'))),
  };
  if (isEmpty(diff)) {
    if (!dryRun) saveTags(links, change.connectionId, deps.contactId, link, decision.record);
    return {
      status: 'skipped',
      action: `${verb} tags in GHL`,
      note: 'GHL already holds these tags, or a newer change to them',
      ...told,
    };
  }
  const only = change.op === 'tag_add' ? diff.add : diff.remove;
  const action =
    only.length === diff.add.length + diff.remove.length
      ? `${verb} tags in GHL: ${only.join(', ')}`
      : `tags in GHL: ${describe(diff)}`;
  if (dryRun) return { status: 'skipped', action, note: 'dry run: nothing written' };
  const written = await writeToGhl(deps, diff);
  saveTags(
    links,
    change.connectionId,
    deps.contactId,
    link,
    recordTagWrite(decision.record, 'ghl', diff, ...written),
  );
  return { status: 'done', action, objectId: deps.contactId, ...told };
}

/** Writes the agreed value of `tags` (all the contact's tags when absent) to one side again. */
export async function restoreTags(
  item: WorkItem,
  deps: EngineDeps,
  links: Links,
  link: Link,
  to: Side,
  tags: string[] | undefined,
  target?: { connection: ConnectorConnection; connector: Connector },
): Promise<{ diff: TagDiff }> {
  const record = readTagRecord(link);
  const diff = restate(record, tags ?? knownTags(record));
  if (isEmpty(diff)) return { diff };
  const written =
    to === 'ghl'
      ? await writeToGhl(deps, diff)
      : await writeToPartner(item, deps, links, target!, link, diff);
  saveTags(links, link.connectionId, link.ghlId, link, recordTagWrite(record, to, diff, ...written));
  return { diff };
}

async function writeToPartner(
  item: WorkItem,
  deps: EngineDeps,
  links: Links,
  { connection, connector }: { connection: ConnectorConnection; connector: Connector },
  link: Link | undefined,
  diff: TagDiff,
): Promise<[number, number]> {
  const { base, key } = await outbound(item, deps, links, deps.contactId, link?.partnerId);
  const startedAt = Date.now();
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
  return [startedAt, Date.now()];
}

async function writeToGhl(deps: EngineDeps, diff: TagDiff): Promise<[number, number]> {
  const startedAt = Date.now();
  if (diff.add.length) await deps.ghl.addTags(deps.contactId, diff.add);
  if (diff.remove.length) await deps.ghl.removeTags(deps.contactId, diff.remove);
  return [startedAt, Date.now()];
}

/** Keeps the contact's tag record (one link per connection, keyed by the GHL contact). */
export function saveTags(
  links: Links,
  connectionId: string,
  contactId: string,
  link: Link | undefined,
  record: TagRecord,
  partnerId?: string | null,
) {
  links.save({
    kind: 'tag',
    connectionId,
    ghlId: contactId,
    partnerId: partnerId ?? link?.partnerId ?? null,
    ghlFp: link?.ghlFp ?? null,
    partnerFp: null,
    state: undefined,
    fields: record,
  });
}

const toldOf = (d: TagDecision): Pick<StepOutcome, 'conflicts' | 'fields'> => ({
  ...(d.conflicts.length ? { conflicts: d.conflicts } : {}),
  ...(d.log.length ? { fields: d.log } : {}),
});

const reassertOf = (to: Side, diff: TagDiff): Pick<StepOutcome, 'reassert'> =>
  isEmpty(diff) ? {} : { reassert: { to, tags: [...diff.add, ...diff.remove] } };

/** Tags written as the partner spelled them in its report (GHL ignores case). */
function spelled(diff: TagDiff, reported: readonly string[]): TagDiff {
  const names = new Map(reported.map((t) => [t.trim().toLowerCase(), t.trim()]));
  const as = (tags: string[]) => tags.map((t) => names.get(t) ?? t);
  return { add: as(diff.add), remove: as(diff.remove) };
}
