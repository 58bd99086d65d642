// Reads what BinaryWriter wrote, checking every bound: a truncated or garbled value raises
// FG_STATE_CORRUPT instead of reading past the end or allocating without limit.
import { FlowGuardError } from '../errors.js';

export class BinaryReader {
  private position: number;

  constructor(
    private readonly bytes: Buffer,
    start = 0,
    private readonly what = 'value',
  ) {
    this.position = start;
  }

  get remaining(): number {
    return this.bytes.length - this.position;
  }

  corrupt(reason: string): FlowGuardError {
    return new FlowGuardError(
      'FG_STATE_CORRUPT',
      `${this.what} is corrupt at byte ${this.position}: ${reason}`,
    );
  }

  byte(): number {
    if (this.position >= this.bytes.length) throw this.corrupt('ends early');
    return this.bytes[this.position++]!;
  }

  varint(): number {
    const bytes = this.bytes;
    const at = this.position;
    // Most values (counts, flags, small deltas) fit one byte.
    if (at < bytes.length && bytes[at]! < 0x80) {
      this.position = at + 1;
      return bytes[at]!;
    }
    return this.longVarint();
  }

  private longVarint(): number {
    const bytes = this.bytes;
    let result = 0;
    let scale = 1;
    // 8 groups of 7 bits cover every safe integer; a ninth means garbage.
    for (let i = 0; i < 8; i++) {
      if (this.position >= bytes.length) throw this.corrupt('ends inside a varint');
      const b = bytes[this.position++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (!Number.isSafeInteger(result)) throw this.corrupt('varint beyond 2^53');
        return result;
      }
      scale *= 128;
    }
    throw this.corrupt('varint longer than 8 bytes');
  }

  zigzag(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }

  fixed(width: number): number {
    if (this.position + width > this.bytes.length) throw this.corrupt('ends inside a fixed-width field');
    let v = 0;
    for (let i = 0; i < width; i++) v = v * 256 + this.bytes[this.position++]!;
    return v;
  }

  double(): number {
    if (this.position + 8 > this.bytes.length) throw this.corrupt('ends inside a double');
    const value = this.bytes.readDoubleLE(this.position);
    this.position += 8;
    return value;
  }

  /** A count of items that each take at least `minBytes`: refuses counts the rest cannot hold. */
  count(minBytes = 1): number {
    const n = this.varint();
    if (n * minBytes > this.remaining) throw this.corrupt(`count ${n} exceeds the bytes left`);
    return n;
  }

  string(): string {
    const size = this.varint();
    if (size > this.remaining) throw this.corrupt('string runs past the end');
    const start = this.position;
    this.position += size;
    return this.bytes.toString('utf8', start, this.position);
  }

  /** Fails unless everything was read: trailing bytes mean the value is not what it claims to be. */
  end(): void {
    if (this.position !== this.bytes.length) throw this.corrupt(`${this.remaining} bytes left over`);
  }
}
