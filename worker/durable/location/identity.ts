import type { Meta } from './meta.ts';

/**
 * Which GHL resource the object owns: a location id, or `company:<companyId>` for an agency.
 * The id is given on every call and pinned on the first one.
 */
export class ResourceIdentity {
  private readonly meta: Meta;
  /** The pinned id once read: it never changes, and every call checks it. */
  private pinned: string | undefined;

  constructor(meta: Meta) {
    this.meta = meta;
  }

  /** Pins the resource id on first use; a call for any other resource is a routing bug. */
  bind(resourceId: string): string {
    const pinned = (this.pinned ??= this.meta.get('resource_id'));
    if (!pinned) {
      this.meta.set('resource_id', resourceId);
      this.pinned = resourceId;
    } else if (pinned !== resourceId) throw new Error(`object of ${pinned} called for ${resourceId}`);
    return resourceId;
  }

  get resourceId(): string {
    const id = (this.pinned ??= this.meta.get('resource_id'));
    if (!id) throw new Error('object used before it was bound to a resource');
    return id;
  }

  get isCompany(): boolean {
    return this.resourceId.startsWith('company:');
  }

  /** The D1 key of this resource: companyId for agencies, locationId for locations. */
  get installKey(): string {
    return this.isCompany ? this.resourceId.slice('company:'.length) : this.resourceId;
  }

  get uninstalled(): boolean {
    return this.meta.get('uninstalled') === '1';
  }

  set uninstalled(value: boolean) {
    this.meta.set('uninstalled', value ? '1' : '0');
  }
}
