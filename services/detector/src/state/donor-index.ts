// Cross-wallet facts for the replacement-wallet rule, keyed by the payer (so each lookup touches one
// Redis Cluster slot): which flagged wallets a payer gave to (the donor index, behind a bitmap
// pre-filter), and which wallets a payer recently gave to (to find, when a wallet is flagged, the
// wallets its donors had already paid).
import type { ChainableCommander } from 'ioredis';
import { runPipelined, scriptCallGroups, type PipelinedCommand } from '../redis/pipelined.js';
import { callScript, type RedisClient } from '../redis/redis-connection.js';

/** A payer's link to a flagged wallet: it gave to it, and counts with this weight. */
export interface DonorLink {
  walletId: string;
  flaggedAtMs: number;
  /** 1, or less for the donors of a very large flagged wallet (a capped, weighted share). */
  weight: number;
}

export interface Gift {
  payer: string;
  walletId: string;
  atMs: number;
}

/** Gifts one script call records at most: a call holds the server while it runs. */
const GIFTS_PER_CALL = 200;
const DONOR_FILTER_BITS = 2 ** 27; // 16 MiB; ~0.7% false positives with a million donors remembered

/** FNV-1a (32 bit) of the payer id, folded onto the filter's size. */
export function donorFilterBit(payer: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < payer.length; i++) {
    hash ^= payer.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % DONOR_FILTER_BITS;
}

export class DonorIndex {
  private readonly filterKey: string;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {
    this.filterKey = `${prefix}:{donor-filter}`;
  }

  donorKey(payer: string): string {
    return `${this.prefix}:{d:${payer}}`;
  }

  giftsKey(payer: string): string {
    return `${this.prefix}:{pp:${payer}}`;
  }

  /**
   * The flagged wallets each payer gave to, flagged no earlier than `sinceMs`: one pre-filter probe for
   * all payers, then one pipeline of exact lookups for the payers it cannot rule out.
   */
  async lookup(payers: ReadonlySet<string>, sinceMs: number): Promise<Map<string, DonorLink[]>> {
    const found = new Map<string, DonorLink[]>();
    if (!payers.size) return found;
    const unique = Array.from(payers);
    const filter = this.filterKey;
    // One BITFIELD_RO with a GET per payer: one command for the whole batch, and no script (a
    // redis.call per payer cost more than the bit reads themselves). Filled in place: a chunk has
    // thousands of payers, and an array per payer was garbage the size of the command.
    const args = new Array<string | number>(1 + 3 * unique.length);
    args[0] = filter;
    for (let i = 0, at = 1; i < unique.length; i++, at += 3) {
      args[at] = 'GET';
      args[at + 1] = 'u1';
      args[at + 2] = donorFilterBit(unique[i]!);
    }
    const [bits] = (await runPipelined(this.redis, [
      { key: filter, add: (p) => p.call('BITFIELD_RO', args) },
    ])) as [number[]];
    const candidates = unique.filter((_, i) => bits[i] === 1);
    if (!candidates.length) return found;
    const replies = await runPipelined(
      this.redis,
      candidates.map((payer) => {
        const key = this.donorKey(payer);
        return { key, add: (p) => p.hgetall(key) };
      }),
    );
    replies.forEach((reply, i) => {
      const links = parseLinks(reply as Record<string, string>).filter((l) => l.flaggedAtMs >= sinceMs);
      if (links.length) found.set(candidates[i]!, links);
    });
    return found;
  }

  /** Commands that link donors to a flagged wallet (idempotent), for the chunk's one write. */
  linkCommands(
    walletId: string,
    flaggedAtMs: number,
    donors: { payer: string; weight: number }[],
    ttlMs: number,
  ) {
    const filter = this.filterKey;
    return donors.flatMap(({ payer, weight }): PipelinedCommand[] => {
      const key = this.donorKey(payer);
      return [
        { key: filter, add: (p: ChainableCommander) => p.setbit(filter, donorFilterBit(payer), 1) },
        { key, add: (p: ChainableCommander) => p.hset(key, walletId, `${flaggedAtMs}|${weight}`) },
        { key, add: (p: ChainableCommander) => p.pexpire(key, ttlMs) },
      ];
    });
  }

  /** Commands that remove a wallet from its donors' links (an analyst revoked the flag). */
  unlinkCommands(walletId: string, payers: string[]): PipelinedCommand[] {
    return payers.map((payer) => {
      const key = this.donorKey(payer);
      return { key, add: (p: ChainableCommander) => p.hdel(key, walletId) };
    });
  }

  /** Commands that remember who gave to whom, for the retro search (many gifts a script call). */
  giftCommands(gifts: Gift[], cap: number, ttlMs: number): PipelinedCommand[] {
    const unique = newestGifts(gifts);
    const keys = unique.map((g) => this.giftsKey(g.payer));
    return scriptCallGroups(this.redis, keys, GIFTS_PER_CALL).map((indexes) => ({
      key: keys[indexes[0]!]!,
      add: (p) => {
        const callKeys = new Array<string>(indexes.length);
        const args = new Array<string | number>(2 + 2 * indexes.length);
        args[0] = cap;
        args[1] = ttlMs;
        indexes.forEach((i, k) => {
          callKeys[k] = keys[i]!;
          args[2 + 2 * k] = unique[i]!.walletId;
          args[3 + 2 * k] = unique[i]!.atMs;
        });
        return callScript(p, 'recordGifts', callKeys, args);
      },
    }));
  }

  /** The wallets each payer recently gave to (newest first), one pipeline. */
  async recentGifts(payers: string[]): Promise<Map<string, string[]>> {
    const replies = await runPipelined(
      this.redis,
      payers.map((payer) => {
        const key = this.giftsKey(payer);
        return { key, add: (p) => p.zrevrange(key, 0, -1) };
      }),
    );
    const out = new Map<string, string[]>();
    replies.forEach((reply, i) => out.set(payers[i]!, reply as string[]));
    return out;
  }

  async run(commands: PipelinedCommand[]): Promise<void> {
    if (commands.length) await runPipelined(this.redis, commands);
  }
}

/**
 * One gift per (payer, wallet), the newest. A quarter of a chunk's gifts repeat one on the bench's
 * backlog, and each repeat would cost the script a ZADD and a PEXPIRE for nothing (ZADD GT keeps the
 * newest time anyway).
 */
export function newestGifts(gifts: readonly Gift[]): Gift[] {
  const newest = new Map<string, Gift>();
  for (const g of gifts) {
    const id = `${g.payer}\u0000${g.walletId}`;
    const seen = newest.get(id);
    if (!seen || seen.atMs < g.atMs) newest.set(id, g);
  }
  return Array.from(newest.values());
}

function parseLinks(hash: Record<string, string> | null): DonorLink[] {
  if (!hash) return [];
  return Object.entries(hash).map(([walletId, value]) => {
    const [at, weight] = value.split('|');
    return { walletId, flaggedAtMs: Number(at), weight: Number(weight ?? 1) };
  });
}
