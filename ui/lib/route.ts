/** Hash routes of the panel, so a reload inside the GHL iframe keeps the screen. */

export type Route =
  | { page: 'contacts'; contactId?: string }
  | { page: 'sync-log'; contactId?: string }
  | { page: 'settings' }
  | { page: 'automations' }
  | { page: 'catalog' };

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const contactId = new URLSearchParams(search).get('contactId') ?? undefined;
  if (parts[0] === 'settings') return { page: 'settings' };
  if (parts[0] === 'automations') return { page: 'automations' };
  if (parts[0] === 'catalog') return { page: 'catalog' };
  if (parts[0] === 'sync-log') return contactId ? { page: 'sync-log', contactId } : { page: 'sync-log' };
  return parts[0] === 'contacts' && parts[1]
    ? { page: 'contacts', contactId: parts[1] }
    : { page: 'contacts' };
}

export function routeHash(route: Route): string {
  if (route.page === 'settings') return '#/settings';
  if (route.page === 'automations') return '#/automations';
  if (route.page === 'catalog') return '#/catalog';
  if (route.page === 'sync-log')
    return route.contactId ? `#/sync-log?contactId=${encodeURIComponent(route.contactId)}` : '#/sync-log';
  return route.contactId ? `#/contacts/${encodeURIComponent(route.contactId)}` : '#/contacts';
}
