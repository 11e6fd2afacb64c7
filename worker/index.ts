import { app } from './app.ts';

export { LocationDO } from './durable/location.ts';
export { ContactDO } from './durable/contact.ts';

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
