/**
 * Partner connections as `/api/connections` hands them over (worker/routes/api/connections.ts),
 * and their health as the sync log and the settings screen show it. The settings screen's own
 * rules are in connection-admin.ts.
 */
import { parseDate } from './format.ts';

export interface CredentialSpec {
  name: string;
  required: boolean;
  /** One credential of each `oneOf` group must be given. */
  oneOf?: string;
  description: string;
}

export interface KindSpec {
  kind: string;
  label: string;
  credentials: CredentialSpec[];
  capabilities?: {
    inbound?: Record<string, unknown>;
    outbound?: Record<string, unknown>;
    reconcile?: boolean;
    inboundAuth?: string;
  };
  /** Credentials the worker generates when left blank. */
  generated?: string[];
  /** Default field maps per object kind: `{ contact: { email: 'attendee.email' } }`. */
  defaultFieldMaps?: Record<string, Record<string, string>>;
  /** The partner's field paths per object kind (`name.*`: anything below); null: any path. */
  partnerFields?: Record<string, string[]> | null;
  /** The admin can sign in to the partner (OAuth) instead of pasting tokens. */
  signIn?: boolean;
}

export interface Health {
  lastEventAt: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
  backlog: number;
  failed: number;
}

/** `reconnect_needed`: the worker cannot decrypt the saved credentials; entering them again fixes it. */
export type ConnectionStatus = 'active' | 'paused' | 'error' | 'reconnect_needed';
export type Settings = Record<string, unknown>;

export interface PartnerConnection {
  id: string;
  kind: string;
  name: string;
  settings: Settings;
  status: ConnectionStatus;
  lastEventAt: number | null;
  lastError: string | null;
  createdAt?: number;
  credentialNames: string[];
  inboundUrl: string;
  health: Health | null;
}

export interface ConnectionList {
  connections: PartnerConnection[];
  kinds: KindSpec[];
  inboxBacklog: number;
}

export interface NewConnection {
  kind: string;
  name: string;
  credentials: Record<string, string>;
  settings: Settings;
}

export interface ConnectionPatch {
  name?: string;
  status?: 'active' | 'paused';
  credentials?: Record<string, string>;
  settings?: Settings;
}

/** What a connection test or test event found (worker/connectors/connection-test.ts). */
export interface CheckOutcome {
  state: 'ok' | 'failed' | 'unchecked';
  message: string;
  code?: string;
  checkedAt: string;
}

export interface Created {
  connection: PartnerConnection;
  inboundUrl: string;
  secrets: Record<string, string>;
  /** The partner's webhook was made through its API: nothing to paste there. */
  webhookRegistered?: boolean;
  check?: CheckOutcome;
}

export interface BackfillCounts {
  creates: number;
  updates: number;
  matches: number;
  conflicts: number;
  skipped: number;
  deletes?: number;
}

/** What a backfill does with objects of one kind (worker/sync/backfill-plan.ts). */
export interface ActionCounts {
  create: number;
  update: number;
  unchanged: number;
  skipped: number;
  delete?: number;
}

export interface Backfill {
  connectionId: string;
  dryRun: boolean;
  history?: boolean;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  phase: 'ghl' | 'partner' | 'done';
  total: number | null;
  processed: number;
  partnerChanges: number;
  counts: BackfillCounts;
  toPartner?: Record<string, ActionCounts>;
  toGhl?: Record<string, ActionCounts>;
  reasons?: Record<string, number>;
  notes?: string[];
  failures?: number;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

/** An error this recent (or any failed change) makes the health block a warning. */
export const RECENT_ERROR_MS = 24 * 60 * 60 * 1000;

export interface HealthView extends Health {
  warn: boolean;
}

const time = (v: unknown) => parseDate(v)?.getTime() ?? null;

/**
 * One connection's health: the sync log's figures (`health`) with the connection row's own last
 * inbound event and last error as fallbacks. A warning when changes failed, the last error is
 * recent (or undated) or the connection is in error.
 */
export function healthOf(
  c: Pick<PartnerConnection, 'health' | 'lastEventAt' | 'lastError' | 'status'>,
  now: number,
): HealthView {
  const h = c.health;
  const lastError = h?.lastError || c.lastError || null;
  const lastErrorAt = h?.lastError ? time(h.lastErrorAt) : null;
  const failed = h?.failed ?? 0;
  const recent = lastError !== null && (lastErrorAt === null || now - lastErrorAt < RECENT_ERROR_MS);
  return {
    lastEventAt: Math.max(time(h?.lastEventAt) ?? 0, time(c.lastEventAt) ?? 0) || null,
    lastError,
    lastErrorAt,
    backlog: h?.backlog ?? 0,
    failed,
    warn: failed > 0 || recent || c.status === 'error' || c.status === 'reconnect_needed',
  };
}

/** "Two-way" when the panel can write to the partner, else "Into HighLevel only". */
export function directionOf(spec: KindSpec | undefined): string {
  return spec?.capabilities?.outbound && Object.keys(spec.capabilities.outbound).length
    ? 'Two-way'
    : 'Into HighLevel only';
}
