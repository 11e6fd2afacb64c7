import { SELF } from 'cloudflare:test';
import { expect, it } from 'vitest';
it('reaches emulator', async () => {
  const r = await SELF.fetch('http://x/probe');
  expect(await r.text()).toBe('pong');
});
