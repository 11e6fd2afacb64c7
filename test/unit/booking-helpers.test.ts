import { describe, expect, it } from 'vitest';
import { appointmentItem, isOpenAppointment } from '../../ui/lib/timeline.ts';
import { slotDays } from '../../worker/ghl/slot-days.ts';

describe("GHL's free-slots answer read as days", () => {
  it('keeps date keys in order with their valid slot times, and drops what is not a day', () => {
    expect(
      slotDays({
        '2030-01-08': { slots: ['2030-01-08T09:00:00-06:00', 'not a time', 7] },
        '2030-01-07': { slots: ['2030-01-07T09:00:00-06:00'] },
        '2030-01-09': { slots: [] },
        traceId: 'abc',
        '2030-01-10': null,
      }),
    ).toEqual([
      { date: '2030-01-07', slots: ['2030-01-07T09:00:00-06:00'] },
      { date: '2030-01-08', slots: ['2030-01-08T09:00:00-06:00'] },
    ]);
  });
});

describe('appointments on the panel timeline', () => {
  const now = Date.parse('2030-01-07T12:00:00Z');
  const booked = appointmentItem({
    id: 'ap1',
    title: 'Intro',
    startTime: '2030-01-08T15:00:00Z',
    endTime: '2030-01-08T15:30:00Z',
    appointmentStatus: 'confirmed',
  });

  it('turns GHL answers into timeline items, keeping what an update answer leaves out', () => {
    expect(booked).toMatchObject({
      kind: 'appointment',
      id: 'ap1',
      at: '2030-01-08T15:00:00Z',
      status: 'confirmed',
    });
    const moved = appointmentItem(
      { id: 'ap1', startTime: '2030-01-09T15:00:00Z' },
      { ...booked, source: 'partner' },
    );
    expect(moved).toMatchObject({
      title: 'Intro',
      at: '2030-01-09T15:00:00Z',
      status: 'confirmed',
      source: 'partner',
    });
  });

  it('offers reschedule and cancel only for appointments not cancelled and not over', () => {
    expect(isOpenAppointment(booked, now)).toBe(true);
    expect(isOpenAppointment({ ...booked, status: 'cancelled' }, now)).toBe(false);
    expect(isOpenAppointment(booked, Date.parse('2030-01-08T15:31:00Z'))).toBe(false);
    expect(isOpenAppointment({ ...booked, kind: 'task' }, now)).toBe(false);
  });
});
