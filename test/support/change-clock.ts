let lastMs = 0;

/**
 * The time the emulators (GHL and the partners, in one process) stamp a change with: the wall
 * clock, but never repeating or going back, so of two changes made one after the other, on
 * either side, the later always carries the later time. Tests order changes by making them in
 * order, with no pause between.
 */
export function nowIso(): string {
  lastMs = Math.max(Date.now(), lastMs + 1);
  return new Date(lastMs).toISOString();
}
