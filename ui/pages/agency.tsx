import { useState } from 'preact/hooks';
import { listAgencyLocations } from '../agency-api.ts';
import { AgencyApplyForm } from '../components/agency-apply.tsx';
import { AgencyDefaultsForm } from '../components/agency-defaults.tsx';
import { AgencyLocationsTable } from '../components/agency-locations.tsx';
import { Empty, ErrorState, Loading } from '../components/states.tsx';
import { STATUS_LABEL, type AgencyLocationStatus } from '../lib/agency.ts';
import type { Session } from '../lib/types.ts';
import { usePages } from '../lib/use-pages.ts';

/**
 * The agency console, for an agency admin who opened Contact Sync from the agency view: every
 * sub-account and its sync state, the defaults they inherit, and settings for many at once.
 */
export function AgencyConsole({ session }: { session: Session }) {
  const [refresh, setRefresh] = useState(0);
  const list = usePages((cursor) => listAgencyLocations(cursor, refresh > 0 && !cursor), [refresh]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const locations = list.pages.flatMap((p) => p.locations);
  const first = list.pages[0];
  const select = (ids: string[], on: boolean) =>
    setSelected((prev) => {
      const next = new Set(prev);
      for (const id of ids) on ? next.add(id) : next.delete(id);
      return next;
    });

  return (
    <div class="shell">
      <header class="topbar">
        <div class="brand">
          <span class="brand-mark" aria-hidden="true">
            ⇄
          </span>
          Contact Sync
        </div>
        <span class="badge">Agency</span>
        <div class="who" data-testid="current-user" title={session.user.email}>
          <span class="who-name">{session.user.name || session.user.email}</span>
          <span class="badge">{session.user.role}</span>
        </div>
      </header>
      <main class="content agency-page">
        <h1 class="page-title">Agency console</h1>
        <section class="card" aria-labelledby="agency-subaccounts-title">
          <div class="page-head">
            <h2 class="section-title" id="agency-subaccounts-title">
              Sub-accounts
            </h2>
            <button type="button" class="btn" onClick={() => setRefresh((n) => n + 1)}>
              Refresh from HighLevel
            </button>
          </div>
          {first && (
            <p class="muted small" data-testid="agency-counts">
              {first.total} sub-accounts:{' '}
              {(Object.keys(first.counts) as AgencyLocationStatus[])
                .filter((s) => first.counts[s])
                .map((s) => `${first.counts[s]} ${STATUS_LABEL[s].toLowerCase()}`)
                .join(', ')}
              .
            </p>
          )}
          {first?.directory.error && (
            <p class="notice" role="note">
              {first.directory.error}
            </p>
          )}
          {list.status === 'loading' && <Loading label="Loading sub-accounts…" />}
          {list.status === 'error' && <ErrorState message={list.error} onRetry={list.retry} />}
          {list.status !== 'loading' && list.status !== 'error' && locations.length === 0 && (
            <Empty title="No sub-accounts yet">Install Contact Sync on a sub-account to see it here.</Empty>
          )}
          {locations.length > 0 && (
            <AgencyLocationsTable locations={locations} selected={selected} onSelect={select} />
          )}
          {list.cursor && (
            <button type="button" class="btn" disabled={list.status === 'more'} onClick={list.more}>
              {list.status === 'more' ? 'Loading…' : 'Show more'}
            </button>
          )}
        </section>
        <AgencyApplyForm selected={[...selected]} onApplied={list.retry} />
        <AgencyDefaultsForm />
      </main>
    </div>
  );
}
