// 52-bit fingerprints of short strings (event ids, event bodies): exact in a double, cheap to compute,
// and with a collision chance of about 2^-52 per pair — far below anything a wallet's ring can meet.

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** The second hash's multiplier (MurmurHash2's). */
const MIX_PRIME = 0x5bd1e995;

/** Two independent 32-bit FNV-1a style hashes of the UTF-16 code units, folded into 52 bits. */
export function fingerprint52(text: string): number {
  let a = FNV_OFFSET;
  let b = FNV_PRIME ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, FNV_PRIME);
    b = Math.imul(b ^ c, MIX_PRIME);
    b ^= b >>> 15;
  }
  return fold(a, b);
}

function fold(a: number, b: number): number {
  a ^= a >>> 13;
  a = Math.imul(a, 0xc2b2ae35);
  a ^= a >>> 16;
  // 32 bits of a and the top 20 of b.
  return (a >>> 0) * 0x100000 + (b >>> 12);
}

// The digits of the time and the amount, least significant first: module-level, so hashing an event
// allocates nothing.
const timeDigits = new Uint8Array(16);
const amountDigits = new Uint8Array(16);

/** The decimal digits of a safe non-negative integer into `into`, least significant first; their count. */
function digitsOf(n: number, into: Uint8Array): number {
  let count = 0;
  do {
    into[count++] = n % 10;
    n = Math.floor(n / 10);
  } while (n > 0);
  return count;
}

const isPlainInteger = (n: number) => Number.isSafeInteger(n) && n >= 0;
const BAR = 124; // '|'

/**
 * fingerprint52(`${type}|${atMs}|${minor}|${currency}|${from}|${to}`), the meaning of an event's body,
 * without building that string: every event has one, and the string with its two number conversions
 * was a third of what the decoder allocated. Times and amounts other than safe non-negative integers
 * take the string: their digits are read here by exact % and floor, which holds for safe integers
 * only. One loop over the six parts with the hashes in locals: a helper per character, with the
 * hashes in module variables, was slower than the string it replaced.
 */
export function bodyFingerprint(
  type: string,
  atMs: number,
  minor: number,
  currency: string,
  from: string,
  to: string,
): number {
  if (!isPlainInteger(atMs) || !isPlainInteger(minor)) {
    return fingerprint52(`${type}|${atMs}|${minor}|${currency}|${from}|${to}`);
  }
  const timeCount = digitsOf(atMs, timeDigits);
  const amountCount = digitsOf(minor, amountDigits);
  // fingerprint52 seeds its second hash with the text's length.
  const length = type.length + timeCount + amountCount + currency.length + from.length + to.length + 5;
  let a = FNV_OFFSET;
  let b = FNV_PRIME ^ length;
  for (let part = 0; part < 6; part++) {
    const digits = part === 1 ? timeDigits : part === 2 ? amountDigits : null;
    const text = part === 0 ? type : part === 3 ? currency : part === 4 ? from : to;
    const n = digits ? (part === 1 ? timeCount : amountCount) : text.length;
    // Position -1 is the '|' before every part but the first; digits are stored least significant first.
    for (let i = part === 0 ? 0 : -1; i < n; i++) {
      const c = i < 0 ? BAR : digits ? 48 + digits[n - 1 - i]! : text.charCodeAt(i);
      a = Math.imul(a ^ c, FNV_PRIME);
      b = Math.imul(b ^ c, MIX_PRIME);
      b ^= b >>> 15;
    }
  }
  return fold(a, b);
}
