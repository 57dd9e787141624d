import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

let lastTime = -1;
let lastRandom: Uint8Array = new Uint8Array(16);

/**
 * A prefixed ULID: 48 bits of milliseconds then 80 random bits, Crockford base32.
 * Ids sort by creation time, so cursor pagination is `WHERE id < $cursor ORDER BY id DESC`.
 * Within one millisecond (or a frozen test clock) the random part counts up, so ids made
 * by one process stay in order.
 */
export function newId(prefix: string, now: number = Date.now()): string {
  let random: Uint8Array;
  if (now <= lastTime) {
    random = Uint8Array.from(lastRandom);
    for (let i = random.length - 1; i >= 0; i--) {
      random[i] = (random[i]! + 1) % 32;
      if (random[i] !== 0) break;
    }
    now = lastTime;
  } else {
    random = Uint8Array.from(randomBytes(16), (b) => b % 32);
    // Leave headroom so counting up within a millisecond never wraps.
    random[0] = random[0]! % 16;
  }
  lastTime = now;
  lastRandom = random;
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let rand = '';
  for (const digit of random) rand += CROCKFORD[digit];
  return `${prefix}_${time}${rand}`;
}
