import { isTimeZone } from '../automations/schedule.ts';
import type { LocationGhlApi } from './ghl-api.ts';

const ZONE_TTL_MS = 60 * 60_000;
const zones = new Map<string, { zone: string; until: number }>();

/** The location's IANA time zone from GHL's location record, read at most hourly per isolate. */
export async function locationZone(ghl: LocationGhlApi, locationId: string): Promise<string> {
  const hit = zones.get(locationId);
  if (hit && hit.until > Date.now()) return hit.zone;
  try {
    const { location } = await ghl.call<{ location?: { timezone?: unknown } }>({
      method: 'GET',
      path: `/locations/${encodeURIComponent(locationId)}`,
      version: '2021-07-28',
    });
    const tz = typeof location?.timezone === 'string' ? location.timezone : '';
    const zone = isTimeZone(tz) ? tz : 'UTC';
    zones.delete(locationId);
    zones.set(locationId, { zone, until: Date.now() + ZONE_TTL_MS });
    if (zones.size > 500) zones.delete(zones.keys().next().value!);
    return zone;
  } catch (err) {
    // Not remembered: the next step asks again.
    console.error('location time zone not read; UTC for now', locationId, String(err));
    return 'UTC';
  }
}
