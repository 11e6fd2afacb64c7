import { relativeTime } from '../lib/format.ts';
import { readConnections } from '../lib/settings.ts';
import { Connections } from './connections.tsx';

const words = (k: string) => k.replace(/At$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();

/** The sync log's `health`: headline figures, and per-connection health when present. */
export function SyncHealth({ health, now }: { health: unknown; now: number }) {
  if (!health || typeof health !== 'object') return null;
  const obj = health as Record<string, unknown>;
  const connections = readConnections(Array.isArray(health) ? health : obj.connections);
  const facts = Array.isArray(health) ? [] : Object.entries(obj).filter(([, v]) => v === null || typeof v !== 'object');
  return (
    <>
      {facts.length > 0 && (
        <dl class="health" data-testid="sync-health">
          {facts.map(([k, v]) => (
            <div key={k}>
              <dt>{words(k)}</dt>
              <dd>{/At$/.test(k) ? relativeTime(v, now) || '—' : String(v ?? '—')}</dd>
            </div>
          ))}
        </dl>
      )}
      {connections.length > 0 && <Connections connections={connections} />}
    </>
  );
}
