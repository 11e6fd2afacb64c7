/**
 * Skips that are no news to a person: our own writes coming back (echoes) and changes that
 * change nothing. The panel hides them unless asked (`GET /api/sync-log?show=all`); skips that
 * say why something did not sync (switched off, dry run, nobody to match) always show.
 */

/** Fragments of the notes the sync engine gives such skips (durable/contact/sync/: to-ghl.ts, to-partner.ts, restore.ts). */
export const QUIET_NOTES: readonly string[] = [
  'echo of our own write',
  'no change since the last sync',
  'no change made there',
  'tags already in sync',
  'already holds these tags',
  'adds nothing the GHL contact lacks',
  'an older change than the one already synced',
  'a late report about it',
  'its delete syncs on its own',
  'carried what the partner should hold',
  'outside this location’s sync scope',
];

/** SQL that is true for a quiet row of `sync_log` (with its parameters). */
export function quietSql(): { sql: string; args: string[] } {
  return {
    sql: `(status = 'skipped' AND (${QUIET_NOTES.map(() => "instr(COALESCE(error, ''), ?) > 0").join(' OR ')}))`,
    args: [...QUIET_NOTES],
  };
}
