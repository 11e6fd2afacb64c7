/** GHL's free-slots answer read as days (pure). */

/** The answer's days in order, each with its ISO slot times; anything not shaped like a day is left out. */
export function slotDays(answer: Record<string, unknown>): { date: string; slots: string[] }[] {
  return Object.entries(answer)
    .filter(([date]) => /^\d{4}-\d{2}-\d{2}$/.test(date))
    .map(([date, day]) => {
      const slots = (day as { slots?: unknown })?.slots;
      return {
        date,
        slots: Array.isArray(slots)
          ? slots.filter((s): s is string => typeof s === 'string' && !Number.isNaN(Date.parse(s)))
          : [],
      };
    })
    .filter((d) => d.slots.length > 0)
    .sort((a, b) => a.date.localeCompare(b.date));
}
