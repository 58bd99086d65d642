// How deeply a JSON text nests, found by one pass over its bytes before anything parses it, so a
// hostile "[[[[…" never reaches JSON.parse or a recursive validator.

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const OPENERS = [OPEN_BRACE, OPEN_BRACKET] as const;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** True when the text nests objects/arrays deeper than `maxDepth` (brackets inside strings ignored). */
export function nestsDeeperThan(bytes: Uint8Array, maxDepth: number): boolean {
  // An ordinary event opens one or two: counting them with the native search spares the byte loop.
  if (opensAtMost(bytes, maxDepth)) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/** True when the text has at most `max` opening braces and brackets, inside strings or not. */
function opensAtMost(bytes: Uint8Array, max: number): boolean {
  let opens = 0;
  for (const open of OPENERS) {
    for (let at = bytes.indexOf(open); at !== -1; at = bytes.indexOf(open, at + 1)) {
      if (++opens > max) return false;
    }
  }
  return true;
}
