import * as v from 'valibot';
import { action, type ActionOperation } from './types.ts';

/**
 * The sync engine's own operations, for admins (the panel's catalog, recipes): a backfill of a
 * connection, for the whole location or only the contact, and a replay of a failed sync log
 * row. "Sync now" is `engine.contact.push` (actions.ts).
 */

export const ENGINE_ACTIONS: readonly ActionOperation[] = [
  action({
    key: 'engine.backfill.start',
    group: 'sync',
    label: 'Start a backfill',
    description:
      'Sends what HighLevel holds to a connected app: every contact of the location (in the background), or only this contact (at once).',
    scope: 'contacts.readonly',
    adminOnly: true,
    input: v.object({
      connectionId: v.optional(
        v.pipe(
          v.string(),
          v.trim(),
          v.maxLength(200),
          v.description("Connected app (connection id); empty: the trigger's, or the only one"),
        ),
      ),
      only: v.optional(
        v.pipe(
          v.picklist(['contact', 'location']),
          v.description('contact: this contact only, at once; location: every contact, in the background'),
        ),
        'contact',
      ),
      history: v.optional(
        v.pipe(v.boolean(), v.description('Book appointments that already ended too')),
        false,
      ),
    }),
    sample: { only: 'contact' },
    async run(ctx, input) {
      const targets = await ctx.engine.backfillTargets();
      const wanted = input.connectionId || ctx.data.connectionId;
      const target =
        (wanted ? targets.find((t) => t.id === wanted) : undefined) ??
        (!input.connectionId && targets.length === 1 ? targets[0] : undefined);
      if (!target)
        throw new Error(
          input.connectionId
            ? `connection ${input.connectionId} cannot be backfilled now (not active, or incomplete)`
            : targets.length
              ? `${targets.length} connected apps can be backfilled: name one (connectionId)`
              : 'no active connected app to backfill',
        );
      return ctx.engine.backfill(target.id, input.only, input.history);
    },
  }),
  action({
    key: 'engine.sync_log.replay',
    group: 'sync',
    label: 'Replay a failed sync',
    description:
      'Sends a failed sync log entry through the sync again (default: the failure the trigger is about).',
    scope: null,
    adminOnly: true,
    input: v.object({
      logId: v.optional(
        v.pipe(
          v.number(),
          v.integer(),
          v.minValue(1),
          v.description("Sync log entry id; empty: the trigger's (sync failed)"),
        ),
      ),
    }),
    sample: {},
    async run(ctx, input) {
      const logId = input.logId ?? ctx.data.sync?.logId;
      if (typeof logId !== 'number')
        throw new Error('name the sync log entry (logId): the trigger is about none');
      const result = await ctx.engine.replay(logId);
      ctx.wrote(`sync_log:${logId}`);
      return result;
    },
  }),
];
