/** Stub of the Durable Object that owns a location (or, as `company:<id>`, an agency). */
export function tenantStub(env: Env, resourceId: string) {
  return env.LOCATION.get(env.LOCATION.idFromName(resourceId));
}
