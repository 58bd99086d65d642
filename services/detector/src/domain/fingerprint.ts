// 52-bit fingerprints of short strings (event ids, event bodies): exact in a double, cheap to compute,
// and with a collision chance of about 2^-52 per pair — far below anything a wallet's ring can meet.

/** Two independent 32-bit FNV-1a style hashes of the UTF-16 code units, folded into 52 bits. */
export function fingerprint52(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a ^= a >>> 13;
  a = Math.imul(a, 0xc2b2ae35);
  a ^= a >>> 16;
  // 32 bits of a and the top 20 of b.
  return (a >>> 0) * 0x100000 + (b >>> 12);
}
