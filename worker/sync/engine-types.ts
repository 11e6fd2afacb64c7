/** The settings the engine reads, by the panel's names. */
import type { SyncKind } from '../connectors/types.ts';
import type { ConflictPolicy, Direction } from './policy.ts';

/** Settings key of each synced kind (the panel's names). */
export const SETTINGS_KEY: Record<SyncKind, 'contacts' | 'notes' | 'tasks' | 'appointments' | 'tags'> = {
  contact: 'contacts',
  note: 'notes',
  task: 'tasks',
  appointment: 'appointments',
  tag: 'tags',
};

/** The part of a location's settings the engine reads. */
export interface EngineSettings {
  kinds: Record<
    'contacts' | 'notes' | 'tasks' | 'appointments' | 'tags',
    { enabled: boolean; direction: Direction }
  >;
  conflictPolicy: ConflictPolicy;
  dryRun: boolean;
  /** The app was uninstalled from the location: waiting work is dropped, not retried. */
  uninstalled?: boolean;
}
