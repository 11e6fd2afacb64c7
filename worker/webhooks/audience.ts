import { INSTALL_EVENTS } from './events.ts';

/** GHL's app id for a marketplace client id: the part before the dash, as GHL's SDK derives it. */
export function appIdOf(clientId: string): string {
  return clientId.split('-')[0] ?? clientId;
}

const LIFECYCLE: ReadonlySet<string> = new Set(INSTALL_EVENTS);

/**
 * Why a verified GHL event is not ours to act on, or null when it is. GHL signs every app's
 * webhooks with the same published keys, so a valid signature says only that GHL sent the body;
 * its `appId` says which app it was sent to, and another app's event is never acted on.
 *
 * Without an `appId` (GHL's real deliveries carry one; its docs show some payloads without):
 * - INSTALL and UNINSTALL are not acted on. They create or delete an install (an agency's
 *   UNINSTALL takes every bulk-installed location along), so they must prove they are ours.
 * - Contact, note, task and appointment events are accepted. They only sync what GHL says about
 *   a location that has installed this app (nothing happens elsewhere: no token), their content
 *   is GHL's own, signed, and dedupe, staleness and echo checks apply as to any delivery. Were
 *   GHL to leave the field out, dropping them would silently stop sync for the location.
 */
export function notForThisApp(body: Record<string, unknown>, ourAppId: string): string | null {
  const { appId, type } = body;
  if (appId === undefined) return LIFECYCLE.has(String(type)) ? `${String(type)} without an appId` : null;
  if (appId === ourAppId) return null;
  return typeof appId === 'string'
    ? `addressed to app ${JSON.stringify(appId.slice(0, 64))}`
    : 'with an appId that is not a string';
}
