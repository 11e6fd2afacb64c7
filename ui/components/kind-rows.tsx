import { DIRECTIONS, KINDS, type Direction, type Kind, type SyncSettings } from '../lib/settings.ts';
import { Switch } from './switch.tsx';

export const kindLabel = (k: Kind) => k[0]!.toUpperCase() + k.slice(1);

type KindSetting = SyncSettings['kinds'][Kind];

/**
 * One row per synced kind: on/off and its direction. Shared by a sub-account's settings and the
 * agency defaults; `testPrefix` names the ids (`<prefix>-enabled-<kind>`, `<prefix>-direction-<kind>`).
 */
export function KindRows({
  kinds,
  testPrefix,
  disabled = false,
  onChange,
}: {
  kinds: SyncSettings['kinds'];
  testPrefix: string;
  disabled?: boolean;
  onChange: (kind: Kind, patch: Partial<KindSetting>) => void;
}) {
  return (
    <>
      {KINDS.map((k) => (
        <div class="kind-row" key={k} data-testid={`${testPrefix}-kind-${k}`}>
          <Switch
            label={kindLabel(k)}
            checked={kinds[k].enabled}
            disabled={disabled}
            onChange={(enabled) => onChange(k, { enabled })}
            testId={`${testPrefix}-enabled-${k}`}
          />
          <label class="sr-only" for={`${testPrefix}-direction-${k}`}>
            {kindLabel(k)} direction
          </label>
          <select
            id={`${testPrefix}-direction-${k}`}
            class="input input-sm"
            value={kinds[k].direction}
            disabled={disabled || !kinds[k].enabled}
            data-testid={`${testPrefix}-direction-${k}`}
            onChange={(e) => onChange(k, { direction: e.currentTarget.value as Direction })}
          >
            {DIRECTIONS.map((d) => (
              <option key={d.value} value={d.value}>
                {d.label}
              </option>
            ))}
          </select>
        </div>
      ))}
    </>
  );
}
