import { DurableObject } from 'cloudflare:workers';
export class ContactDO extends DurableObject<Env> {}
