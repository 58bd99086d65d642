// Newest-first pages over a Redis sorted set of ids scored by time, with an opaque cursor that survives
// ties (equal scores are ordered by member, as Redis orders them) and filters applied after loading.
import { ApiProblem } from '../problems.js';
import type { RedisClient } from '../../redis/redis-connection.js';

interface Position {
  /** Score of the last member looked at. */
  s: number;
  /** That member. */
  m: string;
}

export function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): Position {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Position>;
    if (typeof value.s === 'number' && Number.isFinite(value.s) && typeof value.m === 'string')
      return { s: value.s, m: value.m };
  } catch {
    // answered below
  }
  throw new ApiProblem('FG_BAD_REQUEST', 'cursor is not one this API returned', {
    errors: [{ path: 'querystring.cursor', message: 'is not a cursor returned by the previous page' }],
  });
}

export interface PageRequest<T> {
  key: string;
  fromMs?: number | undefined;
  toMs?: number | undefined;
  cursor?: string | undefined;
  limit: number;
  /** The items of these ids (null where one is gone). */
  load: (ids: string[]) => Promise<(T | null)[]>;
  keep?: (item: T) => boolean;
}

const CHUNK = 200;
/** How many members one page may look at before it answers with what it found and a cursor. */
const MAX_SCANNED = 5_000;

export async function pageNewestFirst<T>(
  redis: RedisClient,
  request: PageRequest<T>,
): Promise<{ items: T[]; nextCursor: string | null }> {
  const after = request.cursor ? decodeCursor(request.cursor) : null;
  let max = after ? after.s : (request.toMs ?? Number.POSITIVE_INFINITY);
  const min = request.fromMs ?? Number.NEGATIVE_INFINITY;
  const items: T[] = [];
  let offset = 0;
  let scanned = 0;
  let last: Position | null = null;
  for (;;) {
    const raw = await redis.zrevrangebyscore(
      request.key,
      bound(max),
      bound(min),
      'WITHSCORES',
      'LIMIT',
      offset,
      CHUNK,
    );
    if (raw.length === 0) return { items, nextCursor: null };
    // Pin the top of the range, so members added meanwhile do not shift the offsets of this scan.
    if (offset === 0) max = Number(raw[1]);
    offset += raw.length / 2;
    const members: Position[] = [];
    for (let i = 0; i < raw.length; i += 2) {
      const position = { m: raw[i]!, s: Number(raw[i + 1]) };
      // Members at the cursor's score that sort at or after it were on an earlier page.
      if (
        after &&
        position.s === after.s &&
        Buffer.compare(Buffer.from(position.m), Buffer.from(after.m)) >= 0
      )
        continue;
      members.push(position);
    }
    const loaded = members.length ? await request.load(members.map((p) => p.m)) : [];
    for (let i = 0; i < members.length; i++) {
      scanned++;
      last = members[i]!;
      const item = loaded[i];
      if (item !== null && item !== undefined && (request.keep?.(item) ?? true)) items.push(item);
      if (items.length === request.limit) return { items, nextCursor: encodeCursor(last) };
    }
    if (scanned >= MAX_SCANNED && last) return { items, nextCursor: encodeCursor(last) };
    if (raw.length / 2 < CHUNK) return { items, nextCursor: null };
  }
}

function bound(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+inf';
  if (value === Number.NEGATIVE_INFINITY) return '-inf';
  return String(value);
}
