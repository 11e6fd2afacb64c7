import { Hono } from 'hono';
export { LocationDO } from './durable/location.ts';
export { ContactDO } from './durable/contact.ts';

const app = new Hono<{ Bindings: Env }>();
app.get('/healthz', (c) => c.json({ ok: true }));
app.get('/probe', async (c) => {
  const r = await fetch(`${c.env.GHL_API_BASE}/ping`);
  return c.text(await r.text());
});
export default app;
