// Detectors as child processes on a backlog topic: events/s from the moment every partition has a
// committed offset to the last commit (admin.fetchOffsets every 20 ms), and the CPU the detectors and
// redis-server spent in between, per event. Process start, group join and each partition's first chunk
// are left out of both. Several instances start on an empty topic and the backlog is produced once the
// group holds them all (what they consume while it is produced is left out too): on a backlog already
// there, the first to join ate most of it alone before the others were in, and the figure mixed one
// instance's steady state with the others' start-up.
import type { Admin } from 'kafkajs';
import { cpuBetween, load1, sampleCpu, type CpuParties, type CpuSample } from './cpu-meter.js';
import { readDetectorCounters } from './detector-metrics.js';
import { spawnDetector } from './detector-process.js';
import { committedByPartition, sleep, waitForGroup } from './kafka-bench.js';

export interface DetectorRun {
  events: number;
  /** Of those, the events the figures count (after every partition's first commit). */
  measuredEvents: number;
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
  /**
   * Produces the backlog (`total` events) onto `topic`, which is empty until then: called once the
   * group is stable with every instance. Absent: the backlog is already on the topic.
   */
  produceOnceJoined?: () => Promise<unknown>;
  redisPids: number[];
  kafkaPid: number | null;
}

const POLL_MS = 20;
/** Below this share of the backlog measured, a run is refused: its figure would be start-up and noise. */
const MEASURED_SHARE_MIN = 0.25;
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
    if (spec.produceOnceJoined) {
      await waitForGroup(admin, spec.groupId, spec.instances, START_TIMEOUT_MS);
      await spec.produceOnceJoined();
    } else if (spec.instances > 1) {
      throw new Error('several instances need an empty topic and produceOnceJoined');
    }
    let first: { committed: number; cpu: CpuSample } | undefined;
    let last = { at: performance.now(), committed: 0 };
    const startedAt = performance.now();
    for (;;) {
      const offsets = await committedByPartition(admin, spec.groupId, spec.topic);
      const committed = offsets.reduce((sum, offset) => sum + offset, 0);
      const now = performance.now();
      if (committed > last.committed) last = { at: now, committed };
      // From the moment every partition has a commit: every instance has finished its first chunk, and
      // its start-up is behind it.
      if (offsets.length > 0 && offsets.every((o) => o > 0)) first ??= { committed, cpu: sampleCpu(parties) };
      if (committed >= spec.total) break;
      if (first ? now - last.at > STALL_MS : now - startedAt > START_TIMEOUT_MS)
        throw new Error(`detector run stalled at ${committed} of ${spec.total} events`);
      await sleep(POLL_MS);
    }
    if (!first) {
      throw new Error(
        `the backlog (${spec.total} events) was consumed before every instance had committed a chunk: ` +
          'nothing was measured; run more events',
      );
    }
    const end = sampleCpu(parties);
    const cpu = cpuBetween(first.cpu, end);
    const events = spec.total - first.committed;
    if (events < spec.total * MEASURED_SHARE_MIN) {
      throw new Error(
        `only ${events} of ${spec.total} events came after every partition's first commit: run more events`,
      );
    }
    // An instance that left (a crash, a session timeout) would make this a smaller group's figure.
    if (spec.instances > 1 && !(await groupHas(admin, spec.groupId, spec.instances))) {
      throw new Error(`the group no longer holds ${spec.instances} instances at the end of the run`);
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
      measuredEvents: events,
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

/** True when the group is Stable with `members` members (a refusal counts as false). */
async function groupHas(admin: Admin, groupId: string, members: number): Promise<boolean> {
  try {
    const { groups } = await admin.describeGroups([groupId]);
    return groups[0]?.state === 'Stable' && groups[0].members.length === members;
  } catch {
    return false;
  }
}
