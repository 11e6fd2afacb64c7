import { GhlApi } from '../ghl/api.ts';
import type { GhlRequest, GhlResult } from '../ghl/gateway.ts';
import type { CreateOnceResult } from './location/idempotent-creates.ts';
import { tenantStub } from './stubs.ts';

/**
 * GHL API for one location from outside its object (panel routes, contact objects): each call is
 * an RPC to the location's object, which holds the token and the rate budget.
 */
export class LocationGhlApi extends GhlApi {
  constructor(env: Env, locationId: string, priority: GhlRequest['priority'] = 'background') {
    super(
      locationId,
      async (req) => (await tenantStub(env, locationId).ghl(locationId, { ...req, priority })) as GhlResult,
      (req, once) =>
        tenantStub(env, locationId).ghlOnce(
          locationId,
          { ...req, priority },
          once,
        ) as Promise<CreateOnceResult>,
    );
  }
}
