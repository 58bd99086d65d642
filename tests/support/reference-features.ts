// A plain in-memory reference of the window features, to check the Redis store against.
import type { WindowSpec } from '../../services/detector/src/config.js';
import type { WalletUpdate } from '../../services/detector/src/ingest/normalized-event.js';

export interface ReferenceWindow {
  inCount: number;
  inSum: number;
  smallInCount: number;
  inMax: number;
  outCount: number;
  outSum: number;
  distinctPayers: number;
  distinctPayees: number;
}

/** Window features of one wallet after all updates, by the documented bucket semantics. */
export function referenceWindows(
  updates: WalletUpdate[],
  windows: WindowSpec[],
  smallMax: number,
): Record<string, ReferenceWindow> {
  const unique = new Map<string, WalletUpdate>();
  for (const u of updates) if (!unique.has(u.event.eventId)) unique.set(u.event.eventId, u);
  const all = [...unique.values()];
  const last = Math.max(...all.map((u) => u.event.occurredAtMs));
  const out: Record<string, ReferenceWindow> = {};
  for (const w of windows) {
    const startIdx = Math.floor(last / w.resolutionMs) - w.lengthMs / w.resolutionMs + 1;
    const startMs = startIdx * w.resolutionMs;
    const inside = all.filter((u) => Math.floor(u.event.occurredAtMs / w.resolutionMs) >= startIdx);
    const inbound = inside.filter((u) => u.direction === 'in');
    const outbound = inside.filter((u) => u.direction === 'out');
    const latest = (list: WalletUpdate[]) => {
      const byParty = new Map<string, number>();
      for (const u of all.filter((x) => x.direction === list[0]?.direction)) {
        byParty.set(u.counterparty, Math.max(byParty.get(u.counterparty) ?? 0, u.event.occurredAtMs));
      }
      return [...byParty.values()].filter((t) => t >= startMs).length;
    };
    out[w.name] = {
      inCount: inbound.length,
      inSum: inbound.reduce((s, u) => s + u.event.amount, 0),
      smallInCount: inbound.filter((u) => u.event.amount <= smallMax).length,
      inMax: inbound.reduce((m, u) => Math.max(m, u.event.amount), 0),
      outCount: outbound.length,
      outSum: outbound.reduce((s, u) => s + u.event.amount, 0),
      distinctPayers: inbound.length ? latest(inbound) : 0,
      distinctPayees: outbound.length ? latest(outbound) : 0,
    };
  }
  return out;
}
