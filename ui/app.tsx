import { Loading } from './components/states.tsx';
import { ToastProvider } from './components/toasts.tsx';
import { useRoute } from './lib/hooks.ts';
import type { Route } from './lib/route.ts';
import type { Session } from './lib/types.ts';
import { useLazy } from './lib/lazy.ts';
import { useSession } from './lib/use-session.ts';
import { ContactsPage } from './pages/contacts.tsx';
import { ConnectingScreen, OutsideScreen, ReconnectScreen, SessionErrorScreen } from './pages/gate.tsx';
import { SyncLogPage } from './pages/sync-log.tsx';

/** The panel: waits for the GHL session, then shows contacts, the sync log and settings. */
export function App() {
  const { phase, retry } = useSession();
  if (phase.kind === 'connecting') return <ConnectingScreen />;
  if (phase.kind === 'outside') return <OutsideScreen onRetry={retry} />;
  if (phase.kind === 'reconnect') return <ReconnectScreen message={phase.message} onRetry={retry} />;
  if (phase.kind === 'error') return <SessionErrorScreen message={phase.message} onRetry={retry} />;
  return (
    <ToastProvider>
      {phase.session.context === 'agency' ? (
        <AgencyRoot session={phase.session} />
      ) : (
        <Shell session={phase.session} />
      )}
    </ToastProvider>
  );
}

const loadAgency = () => import('./pages/agency.tsx').then((m) => m.AgencyConsole);

/** Opened from GHL's agency view: the agency console, its own lazy chunk. */
function AgencyRoot({ session }: { session: Session }) {
  const AgencyConsole = useLazy(loadAgency, true);
  return AgencyConsole ? (
    <AgencyConsole session={session} />
  ) : (
    <main class="gate">
      <Loading label="Loading the agency console…" />
    </main>
  );
}

const TABS: { page: Route['page']; label: string }[] = [
  { page: 'contacts', label: 'Contacts' },
  { page: 'sync-log', label: 'Sync log' },
  { page: 'automations', label: 'Automations' },
  { page: 'catalog', label: 'Catalog' },
  { page: 'settings', label: 'Settings' },
];

const loadSettings = () => import('./pages/settings.tsx').then((m) => m.SettingsPage);
const loadAutomations = () => import('./pages/automations.tsx').then((m) => m.AutomationsPage);
const loadCatalog = () => import('./pages/catalog.tsx').then((m) => m.CatalogPage);

function Shell({ session }: { session: Session }) {
  const [route, navigate] = useRoute();
  const SettingsPage = useLazy(loadSettings, route.page === 'settings');
  const AutomationsPage = useLazy(loadAutomations, route.page === 'automations');
  const CatalogPage = useLazy(loadCatalog, route.page === 'catalog');
  return (
    <div class="shell">
      <header class="topbar">
        <div class="brand">
          <span class="brand-mark" aria-hidden="true">
            ⇄
          </span>
          Contact Sync
        </div>
        <nav class="tabs" aria-label="Sections">
          {TABS.map((t) => (
            <button
              type="button"
              key={t.page}
              class="tab"
              data-testid={`nav-${t.page}`}
              aria-current={route.page === t.page ? 'page' : undefined}
              onClick={() => navigate({ page: t.page } as Route)}
            >
              {t.label}
            </button>
          ))}
        </nav>
        <div class="who" data-testid="current-user" title={session.user.email}>
          <span class="who-name">{session.user.name || session.user.email}</span>
          <span class="badge">{session.user.role}</span>
        </div>
      </header>
      <main class="content">
        {route.page === 'contacts' && (
          <ContactsPage session={session} contactId={route.contactId} navigate={navigate} />
        )}
        {route.page === 'sync-log' && <SyncLogPage contactId={route.contactId} navigate={navigate} />}
        {route.page === 'settings' &&
          (SettingsPage ? <SettingsPage /> : <Loading label="Loading settings…" />)}
        {route.page === 'automations' &&
          (AutomationsPage ? <AutomationsPage /> : <Loading label="Loading automations…" />)}
        {route.page === 'catalog' &&
          (CatalogPage ? (
            <CatalogPage canEdit={session.user.role === 'admin'} />
          ) : (
            <Loading label="Loading the catalog…" />
          ))}
      </main>
    </div>
  );
}
