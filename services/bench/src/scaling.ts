// Throughput by partitions x detector instances. Instances are child processes in one consumer group:
// on a small machine separate processes share the cores honestly, where in-process ones share one loop.
import type { Admin } from 'kafkajs';
import { committedCount, sleep, waitForGroup } from './kafka-bench.js';
import { spawnDetector } from './detector-process.js';

export interface ScalingResult {
  partitions: number;
  instances: number;
  events: number;
  eventsPerSec: number;
}

const POLL_MS = 200;
const STALL_MS = 120_000;

/**
 * Starts `instances` detectors on a backlog topic and polls the group's committed offsets. Events per
 * second count from the first commit to the last, so process start and group join are left out.
 */
export async function measureScalingCase(
  admin: Admin,
  envFor: (instance: number) => Record<string, string>,
  groupId: string,
  topic: string,
  partitions: number,
  instances: number,
  total: number,
): Promise<ScalingResult> {
  const detectors = Array.from({ length: instances }, (_, i) => spawnDetector(envFor(i)));
  try {
    await waitForGroup(admin, groupId, instances, 90_000);
    let first: { at: number; committed: number } | undefined;
    let last = { at: performance.now(), committed: 0 };
    for (;;) {
      const committed = await committedCount(admin, groupId, topic);
      const now = performance.now();
      if (committed > last.committed) last = { at: now, committed };
      else if (now - last.at > STALL_MS) throw new Error(`scaling run stalled at ${committed} of ${total}`);
      if (committed > 0) first ??= { at: now, committed };
      if (committed >= total) break;
      await sleep(POLL_MS);
    }
    const seconds = (last.at - first!.at) / 1000;
    return {
      partitions,
      instances,
      events: total,
      eventsPerSec: seconds > 0 ? (total - first!.committed) / seconds : Infinity,
    };
  } finally {
    await Promise.all(detectors.map((d) => d.stop()));
  }
}
