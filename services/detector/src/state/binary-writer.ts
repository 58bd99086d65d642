// Appends varints, fixed-width integers, doubles and strings to a growing byte buffer. The wallet state
// codec is its one user; invariants the record cannot carry raise FG_STATE_INVALID.
import { FlowGuardError } from '../errors.js';

const TWO_POW_32 = 2 ** 32;
/** 2^(8·width): the first value that does not fit `width` bytes (safe integers only, so 7 is the last). */
const FIXED_LIMITS = [1, 2 ** 8, 2 ** 16, 2 ** 24, 2 ** 32, 2 ** 40, 2 ** 48, Number.MAX_SAFE_INTEGER + 1];

export class BinaryWriter {
  private bytes: Buffer;
  private position = 0;

  constructor(initialSize = 1024) {
    this.bytes = Buffer.allocUnsafe(initialSize);
  }

  /** Starts over, keeping the buffer (one writer serves many encodes). */
  reset(): void {
    this.position = 0;
  }

  get length(): number {
    return this.position;
  }

  /** A copy of what was written: the writer's buffer is reused. */
  toBuffer(): Buffer {
    const out = Buffer.allocUnsafe(this.position);
    this.bytes.copy(out, 0, 0, this.position);
    return out;
  }

  byte(value: number): void {
    this.ensure(1);
    this.bytes[this.position++] = value;
  }

  /** Unsigned integer in 7-bit groups, low group first; any safe non-negative integer. */
  varint(value: number): void {
    if (value >= 0 && value < 0x80 && (value | 0) === value) {
      this.ensure(1);
      this.bytes[this.position++] = value;
      return;
    }
    if (!(value >= 0 && Number.isSafeInteger(value))) {
      throw new FlowGuardError('FG_STATE_INVALID', `${value} is not a non-negative safe integer`);
    }
    this.ensure(8);
    let v = value;
    // Beyond 31 bits, bit operators would truncate: peel the high part off arithmetically.
    while (v > 0x7fffffff) {
      this.bytes[this.position++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    while (v > 0x7f) {
      this.bytes[this.position++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.bytes[this.position++] = v;
  }

  /** Signed integer, zigzag-mapped so small magnitudes of either sign stay short. */
  zigzag(value: number): void {
    if (!Number.isSafeInteger(value) || Math.abs(value) > Number.MAX_SAFE_INTEGER / 2) {
      throw new FlowGuardError('FG_STATE_INVALID', `${value} is not an integer the record can carry`);
    }
    this.varint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  /** Unsigned integer of exactly `width` bytes (1-7), big-endian: readable at a fixed place. */
  fixed(value: number, width: number): void {
    if (!(value >= 0 && value < FIXED_LIMITS[width]! && Number.isInteger(value))) {
      throw new FlowGuardError('FG_STATE_INVALID', `${value} does not fit ${width} bytes`);
    }
    this.ensure(width);
    // The low 32 bits with bit operators, the rest (at most 24 bits) from the quotient.
    const high = Math.floor(value / TWO_POW_32);
    let low = value - high * TWO_POW_32;
    const bytes = this.bytes;
    let at = this.position + width - 1;
    for (let i = 0; i < Math.min(width, 4); i++, at--) {
      bytes[at] = low & 0xff;
      low >>>= 8;
    }
    for (let i = 4, h = high; i < width; i++, at--, h >>>= 8) bytes[at] = h & 0xff;
    this.position += width;
  }

  double(value: number): void {
    this.ensure(8);
    this.bytes.writeDoubleLE(value, this.position);
    this.position += 8;
  }

  /** Byte length, then UTF-8. */
  string(value: string): void {
    this.stringFrom(value, 0);
  }

  /** The part of `value` from character `start` on (for strings coded against a shared prefix). */
  stringFrom(value: string, start: number): void {
    const n = value.length;
    let ascii = true;
    for (let i = start; i < n; i++) {
      if (value.charCodeAt(i) > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      this.varint(n - start);
      this.ensure(n - start);
      for (let i = start; i < n; i++) this.bytes[this.position++] = value.charCodeAt(i);
      return;
    }
    const tail = start === 0 ? value : value.slice(start);
    const size = Buffer.byteLength(tail, 'utf8');
    this.varint(size);
    this.ensure(size);
    this.position += this.bytes.write(tail, this.position, 'utf8');
  }

  private ensure(extra: number): void {
    if (this.position + extra <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.position + extra) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.bytes.copy(grown, 0, 0, this.position);
    this.bytes = grown;
  }
}
