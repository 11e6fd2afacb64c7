import type { AgencyLocation } from '../lib/agency.ts';
import { STATUS_LABEL } from '../lib/agency.ts';

const STATUS_CLASS: Record<AgencyLocation['status'], string> = {
  active: 'status-ok',
  reconnect_needed: 'status-bad',
  pending: 'status-wait',
  not_installed: '',
};

const count = (n: number | null) => (n === null ? '—' : String(n));

interface Props {
  locations: AgencyLocation[];
  selected: Set<string>;
  onSelect: (ids: string[], on: boolean) => void;
}

/** The agency's sub-accounts with their install and sync state; rows can be selected for a bulk apply. */
export function AgencyLocationsTable({ locations, selected, onSelect }: Props) {
  const allOn = locations.length > 0 && locations.every((l) => selected.has(l.id));
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label="Sub-accounts table, scrolls sideways">
      <table class="table agency-table" data-testid="agency-locations">
        <thead>
          <tr>
            <th scope="col" class="select-col">
              <input
                type="checkbox"
                aria-label="Select every sub-account shown"
                checked={allOn}
                data-testid="agency-select-all"
                onChange={(e) =>
                  onSelect(
                    locations.map((l) => l.id),
                    e.currentTarget.checked,
                  )
                }
              />
            </th>
            <th scope="col">Sub-account</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">
              Backlog
            </th>
            <th scope="col" class="num">
              Failures (24 h)
            </th>
            <th scope="col">Own settings</th>
          </tr>
        </thead>
        <tbody>
          {locations.map((l) => (
            <tr key={l.id} data-testid={`agency-row-${l.id}`}>
              <td class="select-col">
                <input
                  type="checkbox"
                  aria-label={`Select ${l.name}`}
                  checked={selected.has(l.id)}
                  data-testid={`agency-select-${l.id}`}
                  onChange={(e) => onSelect([l.id], e.currentTarget.checked)}
                />
              </td>
              <td>
                <strong>{l.name}</strong>
                {l.address && <span class="muted small block">{l.address}</span>}
              </td>
              <td>
                <span class={`badge ${STATUS_CLASS[l.status]}`} data-testid="agency-status">
                  {STATUS_LABEL[l.status]}
                </span>
                {l.lastError && <span class="muted small block">{l.lastError}</span>}
              </td>
              <td class="num">{count(l.backlog)}</td>
              <td class="num">
                {l.failures24h ? <span class="badge status-bad">{l.failures24h}</span> : count(l.failures24h)}
              </td>
              <td>
                {l.ownSettings.length ? (
                  <span title={l.ownSettings.join(', ')}>{l.ownSettings.length} of its own</span>
                ) : (
                  <span class="muted">Follows agency defaults</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
