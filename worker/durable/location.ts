import { DurableObject } from 'cloudflare:workers';
export class LocationDO extends DurableObject<Env> {}
