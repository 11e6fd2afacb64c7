import { describe, expect, it } from 'vitest';
import { parseDomainLines } from '../../ui/lib/frame-domains.ts';

describe('parseDomainLines', () => {
  it('takes one host per line, comma or space, without blanks or repeats', () => {
    expect(
      parseDomainLines(' app.agency.com \n\ncrm.agency.com, portal.agency.com  app.agency.com\n'),
    ).toEqual(['app.agency.com', 'crm.agency.com', 'portal.agency.com']);
    expect(parseDomainLines('   \n ')).toEqual([]);
  });
});
