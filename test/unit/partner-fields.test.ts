import { describe, expect, it } from 'vitest';
import {
  connectionFieldMapError,
  fieldMappingError,
  unknownPartnerField,
} from '../../worker/connectors/partner-fields.ts';
import { connectorFor } from '../../worker/connectors/registry.ts';

const calcom = connectorFor('calcom')!;

describe('partner fields', () => {
  it('Cal.com: attendee and booking fields and any form answer are fields; made-up ones are not', () => {
    expect(unknownPartnerField(calcom, 'phone', 'attendee.phoneNumber')).toBeNull();
    expect(unknownPartnerField(calcom, 'contact.companyName', 'responses.company')).toBeNull();
    expect(unknownPartnerField(calcom, 'appointment.address', 'location')).toBeNull();
    expect(unknownPartnerField(calcom, 'email', 'attendee.mail')).toMatch(
      /^Cal\.com has no field "attendee\.mail" for email; it has attendee\.email, /,
    );
    expect(unknownPartnerField(calcom, 'appointment.title', 'responses')).toMatch(/no field "responses"/);
  });

  it('an empty path (removing a default) is always fine; your app names its own fields', () => {
    expect(unknownPartnerField(calcom, 'email', '')).toBeNull();
    expect(unknownPartnerField(connectorFor('yourapp')!, 'email', 'whatever.you.like')).toBeNull();
  });

  it('checks location overrides per connector and a connection’s own map per kind', () => {
    expect(
      fieldMappingError(connectorFor, {
        calcom: { email: 'attendee.email', phone: null },
        yourapp: { email: 'x.y' },
      }),
    ).toBeNull();
    expect(fieldMappingError(connectorFor, { calcom: { 'contact.email': 'mail' } })).toMatch(
      /no field "mail"/,
    );
    expect(
      connectionFieldMapError(connectorFor('appointlet')!, { contact: { email: 'fields.work_email' } }),
    ).toBeNull();
    expect(
      connectionFieldMapError(connectorFor('appointlet')!, { appointment: { title: 'subject' } }),
    ).toMatch(/Appointlet has no field "subject"/);
  });
});
