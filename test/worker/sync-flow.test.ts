import { describe, expect, it } from 'vitest';
import { eventually, ghlAct, ghlState, settled, syncedLocation, syncLog, yourAppAct, yourAppState } from './sync-helpers.ts';

describe('two-way sync with "your app"', () => {
  it('a note written in GHL reaches the partner once, with the GHL id', async () => {
    const { locationId, contactIds } = await syncedLocation();
    const contactId = contactIds[0]!;
    const { result } = await ghlAct(locationId, { action: 'note.create', contactId, data: { body: 'Called, wants a demo' } });
    const noteId = result.note.id as string;
    const synced = await eventually('note at partner', async () => (await yourAppState()).objects.note!.find((n) => n.ghlId === noteId));
    expect(synced.body).toBe('Called, wants a demo');
    await settled(locationId, contactId);
    const done = (await syncLog(locationId, { contactId })).filter((e) => e.objectKind === 'note' && e.status === 'done');
    expect(done).toHaveLength(1);
  });

  it('a note written in the partner app lands on the matching GHL contact (by email)', async () => {
    const { locationId, connectionId, contactIds } = await syncedLocation();
    const contact = (await ghlState(locationId)).contacts.find((c) => c.id === contactIds[1])!;
    await yourAppAct(connectionId, 'note.created', { body: 'Met at the expo', contact: { email: contact.email } });
    const note = await eventually('note in GHL', async () => (await ghlState(locationId)).notes.find((n) => n.contactId === contact.id && n.body === 'Met at the expo'));
    expect(note).toBeTruthy();
  });
});
