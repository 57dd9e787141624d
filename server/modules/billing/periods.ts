import type { Interval } from '../../db/schema.js';

/**
 * The end of period `n` (1-based) of a schedule that starts at `anchor`. Computed from the
 * anchor each time, never by adding to the previous end, so month lengths do not drift:
 * Jan 31 → Feb 28 → Mar 31.
 */
export function periodBoundary(anchor: Date, interval: Interval, count: number, n: number): Date {
  const steps = count * n;
  const d = new Date(anchor.getTime());
  switch (interval) {
    case 'day':
      return new Date(anchor.getTime() + steps * 86_400_000);
    case 'week':
      return new Date(anchor.getTime() + steps * 7 * 86_400_000);
    case 'month':
    case 'year': {
      const months = interval === 'year' ? steps * 12 : steps;
      const targetMonth = d.getUTCMonth() + months;
      const year = d.getUTCFullYear() + Math.floor(targetMonth / 12);
      const month = ((targetMonth % 12) + 12) % 12;
      const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
      return new Date(Date.UTC(year, month, Math.min(d.getUTCDate(), lastDay), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()));
    }
  }
}
