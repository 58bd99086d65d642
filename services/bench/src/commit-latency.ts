// Latency of EVERY event at a fixed rate: record sent → its effects committed. The producer sends each
// tick's events to partitions it picks itself, so every offset's send time is known from the send's
// base offsets; a poller reads the group's committed offsets every 20 ms. An event's latency is the
// first poll that saw its partition committed past its offset, minus its send time: an upper bound,
// coarse by the poll interval (~20 ms + one fetchOffsets round trip).
import type { Admin, Message, Producer } from 'kafkajs';
import { percentile } from './percentile.js';
import type { TrafficGenerator } from './event-generator.js';
import { sleep } from './kafka-bench.js';

export interface CommitLatency {
  rate: number;
  seconds: number;
  /** Events produced per second. */
  achievedRate: number;
  /** Events whose latency counts (those sent after the warm-up). */
  events: number;
  /** Of those, committed before the drain ran out; the rest count as infinitely late. */
  committed: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

interface SentRun {
  partition: number;
  baseOffset: number;
  count: number;
  sentAtMs: number;
  /** Sent during the warm-up: not counted. */
  warmUp: boolean;
}

const TICK_MS = 5;
const POLL_MS = 20;
const WARM_UP_MS = 2_000;
const DRAIN_MS = 30_000;

/** FNV-1a of the key: the same wallet always lands on the same partition. */
function partitionOf(key: Buffer, partitions: number): number {
  let hash = 0x811c9dc5;
  for (const byte of key) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash % partitions;
}

/** Committed offsets per partition over time, read from the group. */
export class CommitTimeline {
  readonly times: number[] = [];
  readonly offsets: number[][] = [];

  constructor(private readonly partitions: number) {}

  async poll(admin: Admin, groupId: string, topic: string): Promise<number[]> {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const now = Array.from({ length: this.partitions }, () => 0);
    for (const p of entry?.partitions ?? []) now[p.partition] = Math.max(0, Number(p.offset));
    this.record(performance.now(), now);
    return now;
  }

  /** One reading: the group's committed offset (the next offset to read) of each partition at `atMs`. */
  record(atMs: number, committed: number[]): void {
    this.times.push(atMs);
    this.offsets.push(committed);
  }

  /** When `offset` of `partition` was first seen committed (its committed offset beyond it). */
  committedAt(partition: number, offset: number): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.offsets[mid]![partition]! > offset) hi = mid;
      else lo = mid + 1;
    }
    return lo < this.times.length ? this.times[lo]! : Infinity;
  }
}

export async function measureCommitLatency(
  admin: Admin,
  producer: Producer,
  options: {
    topic: string;
    groupId: string;
    partitions: number;
    rate: number;
    seconds: number;
    traffic: TrafficGenerator;
  },
): Promise<CommitLatency> {
  const { topic, groupId, partitions, rate, seconds, traffic } = options;
  const sent: SentRun[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let failed: unknown;
  const timeline = new CommitTimeline(partitions);
  let polling = true;
  const poller = (async () => {
    while (polling) {
      await timeline.poll(admin, groupId, topic);
      await sleep(POLL_MS);
    }
  })();

  const send = (byPartition: Message[][], sentAtMs: number, warmUp: boolean) => {
    const messages = byPartition.flatMap((list, partition) => list.map((m) => ({ ...m, partition })));
    const sending = producer.send({ topic, acks: -1, messages }).then((metadata) => {
      for (const m of metadata) {
        const count = byPartition[m.partition]!.length;
        sent.push({ partition: m.partition, baseOffset: Number(m.baseOffset), count, sentAtMs, warmUp });
      }
    });
    inFlight.add(sending);
    sending
      .catch((error: unknown) => (failed ??= error))
      .finally(() => inFlight.delete(sending))
      .catch(() => undefined);
  };

  const startedAt = performance.now();
  const durationMs = seconds * 1000;
  let produced = 0;
  for (let elapsed = 0; elapsed < durationMs; elapsed = performance.now() - startedAt) {
    if (failed) throw new Error('producing the latency traffic failed', { cause: failed });
    const due = Math.floor((elapsed / 1000) * rate) - produced;
    if (due > 0) {
      const byPartition: Message[][] = Array.from({ length: partitions }, () => []);
      const nowMs = Date.now();
      const timestamp = String(nowMs);
      for (let i = 0; i < due; i++) {
        const message = traffic.next(nowMs);
        byPartition[partitionOf(message.key, partitions)]!.push({ ...message, timestamp });
      }
      produced += due;
      send(byPartition, performance.now(), elapsed < WARM_UP_MS);
    }
    await sleep(TICK_MS);
  }
  await Promise.all(inFlight);
  if (failed) throw new Error('producing the latency traffic failed', { cause: failed });
  const producedSeconds = (performance.now() - startedAt) / 1000;

  const ends = Array.from({ length: partitions }, () => 0);
  for (const run of sent) ends[run.partition] = Math.max(ends[run.partition]!, run.baseOffset + run.count);
  const drainUntil = performance.now() + DRAIN_MS;
  for (;;) {
    const committed = timeline.offsets.at(-1) ?? [];
    if (ends.every((end, p) => (committed[p] ?? 0) >= end) || performance.now() > drainUntil) break;
    await sleep(POLL_MS);
  }
  polling = false;
  await poller;

  const latencies: number[] = [];
  for (const run of sent) {
    if (run.warmUp) continue;
    for (let i = 0; i < run.count; i++)
      latencies.push(timeline.committedAt(run.partition, run.baseOffset + i) - run.sentAtMs);
  }
  const sorted = Float64Array.from(latencies).sort();
  const list = Array.from(sorted);
  return {
    rate,
    seconds,
    achievedRate: produced / producedSeconds,
    events: list.length,
    committed: list.filter(Number.isFinite).length,
    p50: percentile(list, 0.5),
    p95: percentile(list, 0.95),
    p99: percentile(list, 0.99),
    max: list.length ? list[list.length - 1]! : NaN,
  };
}
