// A detector process's own counters, read from its GET /metrics before it stops: how many Kafka
// transactions (chunks) it committed, how often a compare-and-set lost to another writer, how many
// chunks ran again, how many alerts its committed transactions carried. The process listens on an ephemeral port (PORT=0), found through /proc.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface DetectorCounters {
  transactionsCommitted: number;
  stateConflicts: number;
  chunkRetries: number;
  /** Alerts in committed transactions (null: a revision without the counter). */
  alertsPublished: number | null;
  /** Wallet states found in, and missing from, the process cache (null: a revision without it). */
  cacheHits: number | null;
  cacheMisses: number | null;
}

/** TCP ports the process listens on (IPv4 and IPv6), from its socket inodes and /proc/net/tcp*. */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is field 1 ("ADDR:PORT" in hex), st field 3 (0A = LISTEN), inode field 9.
      if (fields[3] === '0A' && inodes.has(fields[9] ?? ''))
        ports.push(parseInt(fields[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

/** Sum of a metric's samples in a Prometheus text exposition, those whose labels include `label` if given. */
export function metricSum(text: string, name: string, label?: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name} `) && !line.startsWith(`${name}{`)) continue;
    if (label && !line.includes(label)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** The counters of the detector `pid`, or null when it serves no /metrics the bench can find. */
export async function readDetectorCounters(pid: number): Promise<DetectorCounters | null> {
  for (const port of listeningPorts(pid)) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`, {
        signal: AbortSignal.timeout(2_000),
      });
      if (!response.ok) continue;
      const text = await response.text();
      if (!text.includes('flowguard_')) continue;
      const cacheCounted = text.includes('flowguard_wallet_cache_lookups_total');
      return {
        transactionsCommitted: metricSum(text, 'flowguard_kafka_transactions_total', 'result="committed"'),
        stateConflicts: metricSum(text, 'flowguard_state_conflicts_total'),
        chunkRetries: metricSum(text, 'flowguard_batch_retries_total'),
        alertsPublished: text.includes('flowguard_alerts_published_total ')
          ? metricSum(text, 'flowguard_alerts_published_total')
          : null,
        cacheHits: cacheCounted
          ? metricSum(text, 'flowguard_wallet_cache_lookups_total', 'result="hit"')
          : null,
        cacheMisses: cacheCounted
          ? metricSum(text, 'flowguard_wallet_cache_lookups_total', 'result="miss"')
          : null,
      };
    } catch {
      // not the HTTP port
    }
  }
  return null;
}
