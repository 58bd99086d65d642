// Detectors as child processes on a backlog topic: events/s from the first committed offset to the last
// (admin.fetchOffsets every 20 ms), and the CPU the detectors and redis-server spent in between, per
// event. Process start, group join and the first chunk are left out of both; with several instances,
// so is everything before the group holds them all.
import type { Admin } from 'kafkajs';
import { cpuBetween, load1, sampleCpu, type CpuParties, type CpuSample } from './cpu-meter.js';
import { readDetectorCounters } from './detector-metrics.js';
import { spawnDetector } from './detector-process.js';
import { committedCount, sleep } from './kafka-bench.js';

export interface DetectorRun {
  events: number;
  eventsPerSec: number;
  detectorMicrosPerEvent: number;
  redisMicrosPerEvent: number;
  /** The Kafka broker's CPU per event (fetches, transactions, offset commits; null: broker not local). */
  kafkaMicrosPerEvent: number | null;
  /** From the detectors' own /metrics (null: a revision that does not count them). */
  eventsPerTransaction: number | null;
  stateConflicts: number | null;
  chunkRetries: number | null;
  /** Alerts the detectors published in committed transactions (null: not counted by that revision). */
  alertsPublished: number | null;
  /**
   * Share of the wallet states the chunks found in their process's cache, over the whole run (start
   * included; null: not counted by that revision). A miss reads and decodes the record from Redis.
   */
  cacheHitShare: number | null;
  /** One-minute load average when the run started. */
  load1AtStart: number;
  /** Cores that something other than the detector, Redis, Kafka and the bench kept busy meanwhile. */
  otherCores: number;
}

export interface DetectorRunSpec {
  /** Environment of each instance. */
  envFor: (instance: number) => Record<string, string>;
  instances: number;
  /** Source tree of the detector to run (another revision's checkout for BEFORE). */
  root?: string;
  groupId: string;
  topic: string;
  total: number;
  redisPids: number[];
  kafkaPid: number | null;
}

const POLL_MS = 20;
const STALL_MS = 120_000;
const START_TIMEOUT_MS = 120_000;

export async function measureDetectorRun(admin: Admin, spec: DetectorRunSpec): Promise<DetectorRun> {
  const load1AtStart = load1();
  const detectors = Array.from({ length: spec.instances }, (_, i) =>
    spawnDetector(spec.envFor(i), { root: spec.root }),
  );
  const parties: CpuParties = {
    detectorGroups: detectors.map((d) => d.pid),
    redisPids: spec.redisPids,
    kafkaPid: spec.kafkaPid,
  };
  try {
    let first: { committed: number; cpu: CpuSample } | undefined;
    let last = { at: performance.now(), committed: 0 };
    const startedAt = performance.now();
    // With several instances the first to join takes every partition until the others are in: count
    // from the moment the group is stable with all of them.
    let allJoined = spec.instances === 1;
    for (;;) {
      allJoined ||= await groupHas(admin, spec.groupId, spec.instances);
      const committed = await committedCount(admin, spec.groupId, spec.topic);
      const now = performance.now();
      if (committed > last.committed) last = { at: now, committed };
      if (committed > 0 && allJoined) first ??= { committed, cpu: sampleCpu(parties) };
      if (committed >= spec.total) break;
      if (first ? now - last.at > STALL_MS : now - startedAt > START_TIMEOUT_MS)
        throw new Error(`detector run stalled at ${committed} of ${spec.total} events`);
      await sleep(POLL_MS);
    }
    if (!first) {
      throw new Error(
        `the backlog (${spec.total} events) was consumed before all ${spec.instances} instances joined: ` +
          'nothing was measured for that many; run more events',
      );
    }
    const cpu = cpuBetween(first.cpu, sampleCpu(parties));
    const events = spec.total - first.committed;
    if (events < spec.total / 2) {
      console.error(
        `[bench] warning: only ${events} of ${spec.total} events went after all ${spec.instances} instances joined`,
      );
    }
    const counters = await Promise.all(detectors.map((d) => readDetectorCounters(d.pid)));
    const counted = counters.every((c) => c !== null);
    const sum = (pick: (c: NonNullable<(typeof counters)[number]>) => number) =>
      counted ? counters.reduce((total, c) => total + pick(c!), 0) : null;
    const transactions = sum((c) => c.transactionsCommitted);
    const lookups = counters.every((c) => c?.cacheHits != null && c.cacheMisses != null)
      ? { hits: sum((c) => c.cacheHits!)!, misses: sum((c) => c.cacheMisses!)! }
      : null;
    return {
      eventsPerTransaction: transactions ? spec.total / transactions : null,
      stateConflicts: sum((c) => c.stateConflicts),
      chunkRetries: sum((c) => c.chunkRetries),
      alertsPublished:
        counted && counters.every((c) => c!.alertsPublished !== null)
          ? counters.reduce((total, c) => total + c!.alertsPublished!, 0)
          : null,
      cacheHitShare:
        lookups && lookups.hits + lookups.misses > 0 ? lookups.hits / (lookups.hits + lookups.misses) : null,
      events: spec.total,
      eventsPerSec: cpu.seconds > 0 ? events / cpu.seconds : Infinity,
      detectorMicrosPerEvent: (cpu.detectorSeconds * 1e6) / events,
      redisMicrosPerEvent: (cpu.redisSeconds * 1e6) / events,
      kafkaMicrosPerEvent: spec.kafkaPid === null ? null : (cpu.kafkaSeconds * 1e6) / events,
      load1AtStart,
      otherCores: cpu.otherCores,
    };
  } finally {
    await Promise.all(detectors.map((d) => d.stop()));
  }
}

/** True when the group is Stable with `members` members. */
async function groupHas(admin: Admin, groupId: string, members: number): Promise<boolean> {
  try {
    const { groups } = await admin.describeGroups([groupId]);
    return groups[0]?.state === 'Stable' && groups[0].members.length === members;
  } catch {
    return false;
  }
}
