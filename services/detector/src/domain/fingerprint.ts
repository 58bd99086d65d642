// 52-bit fingerprints of short strings (event ids, event bodies): exact in a double, cheap to compute,
// and with a collision chance of about 2^-52 per pair — far below anything a wallet's ring can meet.

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Two independent 32-bit FNV-1a style hashes of the UTF-16 code units, folded into 52 bits. */
export function fingerprint52(text: string): number {
  let a = FNV_OFFSET;
  let b = FNV_PRIME ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, FNV_PRIME);
    b = Math.imul(b ^ c, 0x5bd1e995);
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

// The running state of bodyFingerprint: module-level, so hashing an event allocates nothing.
let hashA = 0;
let hashB = 0;
const digits = new Uint8Array(16);

function feedCode(c: number): void {
  hashA = Math.imul(hashA ^ c, FNV_PRIME);
  hashB = Math.imul(hashB ^ c, 0x5bd1e995);
  hashB ^= hashB >>> 15;
}

function feedText(text: string): void {
  for (let i = 0; i < text.length; i++) feedCode(text.charCodeAt(i));
}

/** The decimal digits of a safe non-negative integer into `digits`, least significant first; their count. */
function digitsOf(n: number): number {
  let count = 0;
  do {
    digits[count++] = n % 10;
    n = Math.floor(n / 10);
  } while (n > 0);
  return count;
}

function feedDigits(count: number): void {
  for (let i = count - 1; i >= 0; i--) feedCode(48 + digits[i]!);
}

const isPlainInteger = (n: number) => Number.isSafeInteger(n) && n >= 0;

/**
 * fingerprint52(`${type}|${atMs}|${minor}|${currency}|${from}|${to}`), the meaning of an event's body,
 * without building that string: every event has one, and the string with its two number conversions
 * was a third of what the decoder allocated. Times and amounts other than safe non-negative integers
 * take the string (their String() form is not plain digits).
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
  // fingerprint52 seeds its second hash with the text's length: count it first.
  const atDigits = digitsOf(atMs);
  const minorDigits = digitsOf(minor);
  const length = type.length + atDigits + minorDigits + currency.length + from.length + to.length + 5;
  hashA = FNV_OFFSET;
  hashB = FNV_PRIME ^ length;
  const bar = 124; // '|'
  feedText(type);
  feedCode(bar);
  digitsOf(atMs);
  feedDigits(atDigits);
  feedCode(bar);
  digitsOf(minor);
  feedDigits(minorDigits);
  feedCode(bar);
  feedText(currency);
  feedCode(bar);
  feedText(from);
  feedCode(bar);
  feedText(to);
  return fold(hashA, hashB);
}
