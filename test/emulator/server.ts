import { serve } from '@hono/node-server';
import { Hono } from 'hono';
export function startEmulator(port = 0) {
  const app = new Hono();
  app.get('/ping', (c) => c.text('pong'));
  return new Promise<{ url: string; close: () => void }>((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => {
      resolve({ url: `http://127.0.0.1:${info.port}`, close: () => server.close() });
    });
  });
}
