// Who used the CPU during a measured interval: the detector (its process groups), redis-server, the
// Kafka broker, the bench itself, and everything else on the machine ("other"), from /proc.
import { loadavg } from 'node:os';
import { groupCpuSeconds, machineBusySeconds, processCpuSeconds } from './machine-cpu.js';

export interface CpuParties {
  detectorGroups: number[];
  redisPids: number[];
  kafkaPid: number | null;
}

export interface CpuSample {
  atMs: number;
  detector: number;
  redis: number;
  kafka: number;
  bench: number;
  machine: number;
}

export interface CpuUse {
  seconds: number;
  detectorSeconds: number;
  redisSeconds: number;
  kafkaSeconds: number;
  /** Cores busy with anything but the detector, Redis, Kafka and the bench, on average. */
  otherCores: number;
}

export function sampleCpu(parties: CpuParties): CpuSample {
  const own = process.cpuUsage();
  return {
    atMs: performance.now(),
    detector: parties.detectorGroups.reduce((sum, pgid) => sum + groupCpuSeconds(pgid), 0),
    redis: parties.redisPids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0),
    kafka: parties.kafkaPid === null ? 0 : processCpuSeconds(parties.kafkaPid),
    bench: (own.user + own.system) / 1e6,
    machine: machineBusySeconds(),
  };
}

export function cpuBetween(a: CpuSample, b: CpuSample): CpuUse {
  const seconds = (b.atMs - a.atMs) / 1000;
  const detectorSeconds = b.detector - a.detector;
  const redisSeconds = b.redis - a.redis;
  const ours = detectorSeconds + redisSeconds + (b.kafka - a.kafka) + (b.bench - a.bench);
  return {
    seconds,
    detectorSeconds,
    redisSeconds,
    kafkaSeconds: b.kafka - a.kafka,
    otherCores: seconds > 0 ? Math.max(0, b.machine - a.machine - ours) / seconds : 0,
  };
}

/** One-minute load average now. */
export function load1(): number {
  return loadavg()[0]!;
}

/** A run is flagged when the machine was already loaded or something else kept a core busy. */
export const LOAD_FLAG = 1.5;
export const OTHER_CORES_FLAG = 0.25;
