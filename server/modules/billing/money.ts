/**
 * Money is integer minor units. Proration is exact rational arithmetic on whole seconds,
 * rounded half away from zero once, at the end; BigInt keeps amount × seconds exact.
 */
export function prorate(amount: number, remainingSeconds: number, totalSeconds: number): number {
  if (totalSeconds <= 0 || remainingSeconds <= 0) return 0;
  if (remainingSeconds >= totalSeconds) return amount;
  const num = BigInt(amount) * BigInt(remainingSeconds);
  const den = BigInt(totalSeconds);
  const sign = num < 0n ? -1n : 1n;
  const abs = num < 0n ? -num : num;
  return Number(sign * ((abs * 2n + den) / (2n * den)));
}

/** `percent` of `amount`, rounded half up; `percent` may have up to 4 decimals (19.6 %). */
export function percentOf(amount: number, percent: number): number {
  const bps = BigInt(Math.round(percent * 10_000));
  const num = BigInt(amount) * bps;
  const den = 1_000_000n;
  const sign = num < 0n ? -1n : 1n;
  const abs = num < 0n ? -num : num;
  return Number(sign * ((abs * 2n + den) / (2n * den)));
}

export function seconds(from: Date, to: Date): number {
  return Math.floor((to.getTime() - from.getTime()) / 1000);
}

export function formatMoney(amount: number, currency: string, locale = 'en'): string {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amount / 10 ** digits);
}
