// The smallest amount the processor charges, per currency, in minor units: Stripe's table
// ("Minimum and maximum charge amounts", docs.stripe.com/currencies), which the offline test
// provider follows too. A currency not listed has no minimum here (Stripe's own check still
// applies: an amount_too_small refusal is a failed payment, as before).
const MINIMUMS: Record<string, number> = {
  USD: 50,
  AED: 200,
  AUD: 50,
  BGN: 100,
  BRL: 50,
  CAD: 50,
  CHF: 50,
  CZK: 1500,
  DKK: 250,
  EUR: 50,
  GBP: 30,
  HKD: 400,
  HUF: 17500,
  INR: 50,
  JPY: 50,
  MXN: 1000,
  MYR: 200,
  NOK: 300,
  NZD: 50,
  PLN: 200,
  RON: 200,
  SEK: 300,
  SGD: 50,
  THB: 1000,
};

/** The processor's minimum charge for `currency` (any case), in minor units; 0 when none is known. */
export function minimumCharge(currency: string): number {
  return MINIMUMS[currency.toUpperCase()] ?? 0;
}
