import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requireLocationSession, requireSession, type SessionEnv } from '../../auth/session.ts';
import { AppError } from '../../errors.ts';
import { agencyConsoleRoutes } from './agency-console.ts';
import { agencyRoutes } from './agency.ts';
import { appointmentRoutes } from './appointments.ts';
import { automationRoutes } from './automations.ts';
import { calendarRoutes } from './calendars.ts';
import { catalogRoutes } from './catalog.ts';
import { connectionRoutes } from './connections.ts';
import { contactRoutes } from './contacts.ts';
import { toAppError } from './errors.ts';
import {
  boundedJsonDepth,
  MAX_API_BODY_BYTES,
  noStore,
  requireInstall,
  requireJsonBody,
} from './middleware.ts';
import { noteRoutes } from './notes.ts';
import { sessionRoutes } from './session.ts';
import { settingsRoutes } from './settings.ts';
import { syncLogRoutes } from './sync-log.ts';
import { tagRoutes } from './tags.ts';
import { taskRoutes } from './tasks.ts';
import { timelineRoutes } from './timeline.ts';
import { userRoutes } from './users.ts';

/** The panel API (`/api/*`, docs/CONTRACT.md §4), mounted by the app at `/api`. */
export const apiRoutes = new Hono<SessionEnv>();

apiRoutes.use(
  '*',
  noStore,
  bodyLimit({
    maxSize: MAX_API_BODY_BYTES,
    onError: () => {
      throw new AppError(413, 'payload_too_large', `The body is larger than ${MAX_API_BODY_BYTES} bytes.`);
    },
  }),
  requireJsonBody,
  boundedJsonDepth,
);

// Creating a session is the one route without a session; it is registered before the session
// check, and Hono runs handlers in registration order, so its answer ends the chain.
apiRoutes.route('/session', sessionRoutes);

apiRoutes.use('*', requireSession);
// The agency console answers agency sessions only, each route checking it; it is registered
// before the location checks below, so its answers end the chain the same way.
apiRoutes.route('/agency', agencyConsoleRoutes);

apiRoutes.use('*', requireLocationSession, requireInstall);
apiRoutes.route('/contacts', contactRoutes);
apiRoutes.route('/contacts', timelineRoutes);
apiRoutes.route('/contacts', noteRoutes);
apiRoutes.route('/contacts', taskRoutes);
apiRoutes.route('/contacts', tagRoutes);
apiRoutes.route('/contacts', appointmentRoutes);
apiRoutes.route('/calendars', calendarRoutes);
apiRoutes.route('/users', userRoutes);
apiRoutes.route('/connections', connectionRoutes);
apiRoutes.route('/settings', settingsRoutes);
apiRoutes.route('/agency', agencyRoutes);
apiRoutes.route('/sync-log', syncLogRoutes);
apiRoutes.route('/automations', automationRoutes);
apiRoutes.route('/catalog', catalogRoutes);

// Hono calls a mounted app's error handler for its own routes; converting here and rethrowing
// hands GHL failures and validator errors to the app-wide handler as AppErrors (one JSON shape).
apiRoutes.onError((err, c) => {
  throw toAppError(err, c);
});
