// The donor index as one chunk sees it: what Redis held when the chunk was loaded, plus the donors of
// wallets flagged earlier in this same chunk — so where a chunk boundary falls never changes what the
// replacement rule sees.
import type { DonorLink } from '../state/donor-index.js';

export class DonorOverlay {
  private readonly added = new Map<string, DonorLink[]>();
  private readonly removed = new Set<string>();

  constructor(private readonly loaded: Map<string, DonorLink[]>) {}

  /** The flagged wallets this payer gave to, flagged no earlier than `sinceMs`. */
  linksOf(payer: string, sinceMs: number): DonorLink[] {
    const links = [...(this.loaded.get(payer) ?? []), ...(this.added.get(payer) ?? [])];
    return links.filter((l) => l.flaggedAtMs >= sinceMs && !this.removed.has(l.walletId));
  }

  link(payer: string, link: DonorLink): void {
    const list = this.added.get(payer) ?? [];
    const at = list.findIndex((l) => l.walletId === link.walletId);
    if (at >= 0) list[at] = link;
    else list.push(link);
    this.added.set(payer, list);
    this.removed.delete(link.walletId);
  }

  /** A revoked flag: its donors no longer count for anyone in the rest of the chunk. */
  unlinkWallet(walletId: string): void {
    this.removed.add(walletId);
    for (const list of this.added.values()) {
      const at = list.findIndex((l) => l.walletId === walletId);
      if (at >= 0) list.splice(at, 1);
    }
  }
}
