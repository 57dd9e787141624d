// Card number checks shared by the hosted card form (src/hosted/payment-method.ts), the offline
// test provider (server/modules/payments/test-provider.ts) and the fake Stripe of the server
// tests. Pure: no DOM, no Node.

/**
 * The Luhn checksum every card scheme uses: catches one wrong digit and most swaps of two
 * neighbours. `digits` must be digits only (a space or a dash is not a zero); how many a
 * card number has (12 to 19) is the caller's rule, not the checksum's.
 */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}
