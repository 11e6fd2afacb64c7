/** GHL workflows subscribed to our triggers (D1), per location and workflow trigger. */

export interface Subscription {
  id: string;
  locationId: string;
  workflowId: string;
  /** The catalog trigger it fires on. */
  operation: string;
  targetUrl: string;
}

interface Row {
  id: string;
  location_id: string;
  workflow_id: string;
  trigger_key: string;
  target_url: string;
}

const toSubscription = (r: Row): Subscription => ({
  id: r.id,
  locationId: r.location_id,
  workflowId: r.workflow_id,
  operation: r.trigger_key,
  targetUrl: r.target_url,
});

export async function saveSubscription(
  db: D1Database,
  s: Subscription & { filters: unknown },
  now = Date.now(),
): Promise<void> {
  // A trigger id moved to another location is refused by the WHERE of the update.
  await db
    .prepare(
      `INSERT INTO workflow_trigger_subscriptions (id, location_id, workflow_id, trigger_key, target_url, filters, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
       ON CONFLICT (id) DO UPDATE SET workflow_id = ?3, trigger_key = ?4, target_url = ?5, filters = ?6, updated_at = ?7 WHERE location_id = ?2`,
    )
    .bind(s.id, s.locationId, s.workflowId, s.operation, s.targetUrl, JSON.stringify(s.filters ?? []), now)
    .run();
}

export async function dropSubscription(db: D1Database, locationId: string, id: string): Promise<boolean> {
  return (
    (
      await db
        .prepare('DELETE FROM workflow_trigger_subscriptions WHERE location_id = ? AND id = ?')
        .bind(locationId, id)
        .run()
    ).meta.changes > 0
  );
}

export async function listSubscriptions(db: D1Database, locationId: string): Promise<Subscription[]> {
  const { results } = await db
    .prepare(
      'SELECT id, location_id, workflow_id, trigger_key, target_url FROM workflow_trigger_subscriptions WHERE location_id = ? ORDER BY created_at, id',
    )
    .bind(locationId)
    .all<Row>();
  return results.map(toSubscription);
}
