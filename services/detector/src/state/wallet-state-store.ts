// Loads and writes wallet state records in Redis: one pipelined round of GETs for a chunk's wallets,
// one pipelined round of compare-and-set writes (write-wallet-states-n.lua, many records a call). One
// key per wallet, hash-tagged by the wallet; every call addresses one slot on a Redis Cluster.
import type { FeatureConfig } from '../config/feature-config.js';
import { FlowGuardError } from '../errors.js';
import { runPipelined, scriptCallGroups } from '../redis/pipelined.js';
import { callScript, type RedisClient } from '../redis/redis-connection.js';
import { decodeWalletState, encodeWalletState } from './wallet-state-codec.js';
import { RECORD_HEADER_BYTES } from './record-format.js';
import { journalAppend, type JournalEntry } from './wallet-journal.js';
import { emptyWalletState, type WalletState } from './wallet-state.js';

export interface WriteOutcome {
  /** Stored; their version is now the stored one. */
  written: WalletState[];
  /** Wallet ids another writer changed since they were loaded: nothing was written for them. */
  conflicts: string[];
  /** Of `written`, how many were journal appends (the rest were written whole). */
  appended: number;
}

/** The journal entries to append for a state instead of writing it whole (null: write it whole). */
export type JournalOf = (state: WalletState) => JournalEntry[] | null;

/** write-wallet-states-n.lua's replies, one per record. */
const WRITTEN = 0;
const CONFLICT = 1;
const STORED_UNREADABLE = 2;
/** Records one script call writes at most: a call holds the server while it runs. */
const RECORDS_PER_CALL = 200;
/** Records one MGET reads at most (a call holds the server while it runs; ~1 µs a key). */
const LOAD_KEYS_PER_CALL = 500;
/**
 * A record is stored with its time-to-live plus this much (1/64 of it, at most an hour), and an append
 * leaves the stored expiry alone while it still reaches past now + time-to-live: a wallet written many
 * times an hour refreshes its expiry about once an hour, not with every append (a PEXPIRE per append
 * was a quarter of Redis's commands). A quiet record lives between its time-to-live and that plus the
 * slack.
 */
const EXPIRY_SLACK_MAX_MS = 3_600_000;
/** write-wallet-states-n.lua: an append with this time-to-live keeps the stored expiry. */
const KEEP_EXPIRY = 0;
/** The longest time-to-live the pack carries (6 bytes): about 8,900 years, with the slack. */
const TTL_MAX_MS = 2 ** 48 - 1 - EXPIRY_SLACK_MAX_MS;

export class WalletStateStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keyPrefix: string,
    private readonly features: FeatureConfig,
  ) {}

  walletKey(walletId: string): string {
    return `${this.keyPrefix}:{w:${walletId}}`;
  }

  /**
   * Every wallet's state (an empty one, version 0, where none is stored), in one round trip: an MGET per
   * LOAD_KEYS_PER_CALL keys (per slot on a Redis Cluster). A GET per wallet cost an ioredis command
   * object, a promise and a reply of its own for each of a chunk's thousands of wallets.
   */
  async load(walletIds: string[]): Promise<Map<string, WalletState>> {
    const ids = [...new Set(walletIds)];
    const keys = ids.map((walletId) => this.walletKey(walletId));
    const groups = scriptCallGroups(this.redis, keys, LOAD_KEYS_PER_CALL);
    const replies = await runPipelined(
      this.redis,
      groups.map((indexes) => ({
        key: keys[indexes[0]!]!,
        add: (p) => p.mgetBuffer(indexes.map((i) => keys[i]!)),
      })),
    );
    const states = new Map<string, WalletState>();
    groups.forEach((indexes, g) => {
      const values = replies[g] as (Buffer | null)[];
      indexes.forEach((i, k) => states.set(ids[i]!, this.stateOf(ids[i]!, values[k] ?? null)));
    });
    return states;
  }

  /** One wallet's state, or null when none is stored (REST). */
  async read(walletId: string): Promise<WalletState | null> {
    const key = this.walletKey(walletId);
    const [bytes] = await runPipelined(this.redis, [{ key, add: (p) => p.getBuffer(key) }]);
    return bytes ? decodeWalletState(walletId, bytes as Buffer, this.features) : null;
  }

  /**
   * Writes every state whose stored version is still the one it was loaded with, in one round trip,
   * and bumps the version of those written. `ttlMsOf` gives each record's time-to-live (at least 1 ms)
   * from `nowMs`. A state whose changes `journalOf` gives as journal entries has them appended to its
   * stored record when the journal's bounds allow it (state/wallet-journal.ts), else it is written whole.
   */
  async write(
    states: WalletState[],
    ttlMsOf: (state: WalletState) => number,
    journalOf: JournalOf = () => null,
    nowMs: number = Date.now(),
  ): Promise<WriteOutcome> {
    const seen = new Set<string>();
    // Encode everything before writing anything: a state that cannot be encoded fails the whole write.
    const records = states.map((state) => {
      if (seen.has(state.walletId)) {
        throw new FlowGuardError(
          'FG_STATE_INVALID',
          `wallet ${state.walletId} is written twice in one round`,
        );
      }
      seen.add(state.walletId);
      const key = this.walletKey(state.walletId);
      const entries = journalOf(state);
      const append = entries ? journalAppend(state, entries, state.version + 1) : null;
      const bytes = append ?? encodeWalletState(state, state.version + 1);
      const ttl = ttlOf(state, ttlMsOf);
      const keepExpiry = append !== null && state.memo.record.expiresAtMs >= nowMs + ttl;
      const storedTtl = keepExpiry ? KEEP_EXPIRY : ttl + Math.min(EXPIRY_SLACK_MAX_MS, Math.floor(ttl / 64));
      return {
        key,
        /** Journal entries appended, or null when the record is written whole. */
        entries: append ? entries!.length : null,
        /** When the stored record expires after this write, at the earliest. */
        expiresAtMs: keepExpiry ? state.memo.record.expiresAtMs : nowMs + storedTtl,
        // The record's header carries state.version + 1: the script checks the stored one against it.
        record: bytes,
        ttl: storedTtl,
      };
    });
    const groups = scriptCallGroups(
      this.redis,
      records.map((r) => r.key),
      RECORDS_PER_CALL,
    );
    const replies = await runPipelined(
      this.redis,
      groups.map((indexes) => ({
        key: records[indexes[0]!]!.key,
        add: (p) =>
          callScript(
            p,
            'writeWalletStates',
            indexes.map((i) => records[i]!.key),
            [packRecords(indexes.map((i) => records[i]!))],
          ),
      })),
    );
    const codes: unknown[] = new Array(states.length);
    groups.forEach((indexes, g) => {
      const reply = replies[g];
      indexes.forEach((i, k) => (codes[i] = Array.isArray(reply) ? reply[k] : reply));
    });
    const outcome: WriteOutcome = { written: [], conflicts: [], appended: 0 };
    states.forEach((state, i) => {
      const reply = codes[i];
      if (reply === WRITTEN) {
        state.version += 1;
        const { entries, record, expiresAtMs } = records[i]!;
        // What the stored record is made of now, for the next append's bounds and expiry.
        const stored = state.memo.record;
        if (entries === null)
          state.memo.record = {
            snapshotBytes: record.length,
            journalBytes: 0,
            journalEntries: 0,
            expiresAtMs,
          };
        else {
          stored.journalBytes += record.length - RECORD_HEADER_BYTES;
          stored.journalEntries += entries;
          stored.expiresAtMs = expiresAtMs;
          outcome.appended += 1;
        }
        outcome.written.push(state);
      } else if (reply === CONFLICT) outcome.conflicts.push(state.walletId);
      else if (reply === STORED_UNREADABLE) {
        throw new FlowGuardError(
          'FG_STATE_CORRUPT',
          `the stored record of wallet ${state.walletId} (${records[i]!.key}) has no readable header`,
        );
      } else {
        throw new FlowGuardError(
          'FG_REDIS_SCRIPT',
          `write-wallet-states refused the record of wallet ${state.walletId} (reply ${String(reply)})`,
        );
      }
    });
    return outcome;
  }

  private stateOf(walletId: string, bytes: Buffer | null): WalletState {
    return bytes
      ? decodeWalletState(walletId, bytes, this.features)
      : emptyWalletState(walletId, this.features.fineBucketMs);
  }
}

/** Bytes before each record in write-wallet-states-n.lua's pack: its length and time-to-live. */
const PACK_PREFIX_BYTES = 10;

/** The records of one script call as its one argument (the layout is in the script's header). */
export function packRecords(records: { record: Buffer; ttl: number }[]): Buffer {
  let size = 0;
  for (const r of records) size += PACK_PREFIX_BYTES + r.record.length;
  const pack = Buffer.allocUnsafe(size);
  let at = 0;
  for (const { record, ttl } of records) {
    at = pack.writeUInt32BE(record.length, at);
    at = pack.writeUIntBE(ttl, at, 6);
    at += record.copy(pack, at);
  }
  return pack;
}

function ttlOf(state: WalletState, ttlMsOf: (state: WalletState) => number): number {
  const ttl = ttlMsOf(state);
  if (Number.isNaN(ttl)) {
    throw new FlowGuardError(
      'FG_STATE_INVALID',
      `the time-to-live of wallet ${state.walletId} is not a number`,
    );
  }
  // A time already up (a replay of long-past events) gets the shortest time Redis accepts (PX 0 is
  // refused): the record goes, as a quiet wallet's would.
  return Math.max(1, Math.ceil(Math.min(ttl, TTL_MAX_MS)));
}
