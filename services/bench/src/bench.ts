// `npm run bench [-- --quick]`: FlowGuard side by side with the detector of the revision before pipeline
// v2 and two plain kafkajs consumers on one backlog, alternating; CPU and Redis bytes per event and
// wallet; latency of every event at fixed rates; scaling by partitions × instances and Redis Cluster.
// Writes docs/bench/latest.json and latest.md. Cleans up its topics, groups, keys and checkout.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Admin, Kafka } from 'kafkajs';
import { REPO_ROOT } from '../../../scripts/dev/local-stack-env.js';
import { flowGuardDecode, measureConsumer, parseJson } from './baseline-consumer.js';
import { parseBenchOptions, PHASES, type BenchOptions } from './bench-options.js';
import {
  machine,
  percent,
  renderMarkdown,
  renderPaired,
  renderSummary,
  revision,
  summarize,
  TARGETS,
  type BenchResult,
  type RunRecord,
  type WalletBytesRecord,
} from './bench-report.js';
import { measureCommitLatency } from './commit-latency.js';
import { cpuBetween, load1, OTHER_CORES_FLAG, sampleCpu } from './cpu-meter.js';
import { detectorEnv, spawnDetector, type DetectorRunNames } from './detector-process.js';
import { measureDetectorRun } from './detector-throughput.js';
import { BacklogGenerator, TrafficGenerator } from './event-generator.js';
import { lastUtcMidnight } from '../../simulator/src/scenario-types.js';
import {
  createBenchKafka,
  createTopics,
  produceAll,
  topicMessageCount,
  waitForGroup,
} from './kafka-bench.js';
import { busiestProcesses, pidFromFile } from './machine-cpu.js';
import { deleteKeys, layoutInUse, localRedisPid, walletBytes } from './redis-probe.js';
import { checkoutRevision, type RevisionCheckout } from './revision-checkout.js';

const DAY = 86_400_000;
const CHUNK = 5_000;

/** Every topic, group and key prefix of the run is named here, so cleanup finds them all. */
class RunNames {
  readonly topics: string[] = [];
  readonly groups: string[] = [];
  readonly keyPrefix: string;

  constructor(private readonly run: string) {
    this.keyPrefix = `bn${run}`;
  }

  detector(label: string): DetectorRunNames {
    const base = `bn-${this.run}-${label}`;
    const names = {
      inputTopic: `${base}.in`,
      alertsTopic: `${base}.alerts`,
      deadLetterTopic: `${base}.dlq`,
      groupId: `${base}.detector`,
      keyPrefix: `${this.keyPrefix}${label.replace(/[^a-z0-9]/gi, '')}`,
    };
    this.topics.push(
      names.inputTopic,
      names.alertsTopic,
      names.deadLetterTopic,
      `${names.alertsTopic}.audit`,
      `${names.alertsTopic}.mentions`,
    );
    this.groups.push(names.groupId);
    return names;
  }

  topic(label: string): string {
    const topic = `bn-${this.run}-${label}.in`;
    this.topics.push(topic);
    return topic;
  }

  group(label: string): string {
    const id = `bn-${this.run}-${label}`;
    this.groups.push(id);
    return id;
  }
}

interface Context {
  options: BenchOptions;
  names: RunNames;
  kafka: Kafka;
  admin: Admin;
  redis: Redis;
  redisPid: number | null;
  clusterPids: number[];
  kafkaPid: number | null;
  before: RevisionCheckout | null;
  result: BenchResult;
}

function log(message: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

async function produceBacklog(ctx: Context, topic: string, partitions: number, generator: BacklogGenerator) {
  await createTopics(ctx.admin, [topic], partitions);
  return produceOnto(ctx, topic, generator);
}

/** A backlog on a topic of its own, and how to make the same events again. */
interface Backlog {
  topic: string;
  events: number;
  generate: () => BacklogGenerator;
}

/**
 * What a detector run reads. One instance reads the shared backlog. Several join an empty topic of
 * their own (`own`), and the same backlog follows once the group holds them all: on the shared one the
 * first to join ate most of it alone. `drop` deletes that copy once measured (the final cleanup would
 * find it too, later).
 */
async function runInput(ctx: Context, backlog: Backlog, own: string, partitions: number, instances: number) {
  if (instances === 1) return { topic: backlog.topic, produceOnceJoined: undefined, drop: async () => {} };
  await createTopics(ctx.admin, [own], partitions);
  return {
    topic: own,
    produceOnceJoined: () => produceOnto(ctx, own, backlog.generate(), backlog.events),
    drop: async () => {
      await ctx.admin.deleteTopics({ topics: [own] }).catch(() => undefined);
    },
  };
}

/** Produces the generator's events onto an existing topic; `expected`: the count they must come to. */
async function produceOnto(ctx: Context, topic: string, generator: BacklogGenerator, expected?: number) {
  const producer = ctx.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const produced = await produceAll(producer, topic, () => generator.nextChunk(CHUNK));
    const onTopic = await topicMessageCount(ctx.admin, topic);
    if (onTopic !== produced.events) throw new Error(`produced ${produced.events}, topic holds ${onTopic}`);
    if (expected !== undefined && produced.events !== expected)
      throw new Error(`produced ${produced.events} events, the backlog has ${expected}`);
    return produced;
  } finally {
    await producer.disconnect();
  }
}

/** Wallets w-0, w-step, …: w-0 is one of the busy "merchant" wallets, the rest are typical. */
function sampleWalletIds(wallets: number, count: number): string[] {
  const step = Math.max(1, Math.floor(wallets / count));
  return Array.from({ length: Math.min(count, wallets) }, (_, i) => `w-${i * step}`);
}

async function usedMemory(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
}

/**
 * Offsets on a topic the detector may or may not have created (0 when it never did). On a topic
 * written in transactions every commit adds a marker, so this is an upper bound of its records.
 */
async function offsetsOn(admin: Admin, topic: string): Promise<number> {
  return topicMessageCount(admin, topic).catch(() => 0);
}

function flagOf(otherCores: number): string | null {
  return otherCores > OTHER_CORES_FLAG ? `other processes used ${otherCores.toFixed(2)} cores` : null;
}

async function throughputPhase(ctx: Context): Promise<void> {
  const { options, names, kafka, admin, redis, result } = ctx;
  const topic = names.topic('backlog');
  // Ending at midnight, not "now": the alert count moved with the phase of the detector's buckets (45
  // or 46 on one seed). The same seed and end time make the same events: several instances get their
  // own copy (below).
  const endMs = lastUtcMidnight();
  const generate = () =>
    new BacklogGenerator(
      { wallets: options.wallets, seed: options.seed, eventIdPrefix: `bn${options.run}` },
      options.events,
      endMs,
      2 * DAY,
    );
  const generator = generate();
  log(`producing ${options.events} events over ${options.wallets} wallets to ${topic}`);
  const produced = await produceBacklog(ctx, topic, options.partitions, generator);
  const total = produced.events;
  const backlog: Backlog = { topic, events: total, generate };
  result.backlogProduceEventsPerSec = total / produced.seconds;
  result.wallets = generator.walletsTouched;
  const sample = sampleWalletIds(options.wallets, 200);
  const decode = flowGuardDecode(options);
  const kinds = options.consumers.filter((kind) => kind !== 'before' || ctx.before);
  const bytes: Record<'before' | 'new', WalletBytesRecord[]> = { before: [], new: [] };

  for (let repeat = 1; repeat <= options.repeats; repeat++) {
    for (const kind of kinds) {
      const label = `${kind}${repeat}`;
      let run: RunRecord;
      if (kind === 'plain' || kind === 'decode') {
        const load1AtStart = load1();
        const parties = { detectorGroups: [], redisPids: [], kafkaPid: ctx.kafkaPid };
        const before = sampleCpu(parties);
        const consumed = await measureConsumer(
          kafka,
          topic,
          names.group(label),
          options.partitions,
          total,
          kind === 'plain' ? parseJson : decode,
        );
        const otherCores = cpuBetween(before, sampleCpu(parties)).otherCores;
        run = {
          consumer: kind,
          repeat,
          measuredEvents: null,
          eventsPerSec: consumed.eventsPerSec,
          consumerMicrosPerEvent: consumed.cpuMicrosPerEvent,
          redisMicrosPerEvent: null,
          kafkaMicrosPerEvent: null,
          deadLettered: null,
          alerts: null,
          eventsPerTransaction: null,
          stateConflicts: null,
          chunkRetries: null,
          cacheHitShare: null,
          load1AtStart,
          otherCores,
          flagged: flagOf(otherCores),
        };
      } else {
        const runNames = names.detector(label);
        const instances = kind === 'new2' ? 2 : 1;
        const input = await runInput(ctx, backlog, runNames.inputTopic, options.partitions, instances);
        const env = { ...detectorEnv(options, runNames, options.partitions), INPUT_TOPIC: input.topic };
        const memoryBefore = await usedMemory(redis);
        const measured = await measureDetectorRun(admin, {
          envFor: () => env,
          instances,
          root: kind === 'before' ? ctx.before!.root : undefined,
          groupId: runNames.groupId,
          topic: input.topic,
          total,
          produceOnceJoined: input.produceOnceJoined,
          redisPids: ctx.redisPid === null ? [] : [ctx.redisPid],
          kafkaPid: ctx.kafkaPid,
        });
        if (kind !== 'new2')
          bytes[kind].push({
            ...(await walletBytes(
              redis,
              runNames.keyPrefix,
              sample,
              await layoutInUse(redis, runNames.keyPrefix, sample),
            )),
            usedMemoryPerWallet: ((await usedMemory(redis)) - memoryBefore) / generator.walletsTouched,
          });
        // Every run starts from an empty Redis for its prefix; the previous run's keys go.
        await deleteKeys(redis, runNames.keyPrefix);
        await input.drop();
        log(`${label}: ${measured.measuredEvents} of ${total} events measured`);
        run = {
          consumer: kind,
          repeat,
          measuredEvents: measured.measuredEvents,
          eventsPerSec: measured.eventsPerSec,
          consumerMicrosPerEvent: measured.detectorMicrosPerEvent,
          redisMicrosPerEvent: measured.redisMicrosPerEvent,
          kafkaMicrosPerEvent: measured.kafkaMicrosPerEvent,
          // 0 offsets is exactly 0 dead letters; more would be records and commit markers.
          deadLettered: await offsetsOn(admin, runNames.deadLetterTopic),
          // Counted by the detectors: the alerts topic's offsets include a marker per transaction.
          alerts: measured.alertsPublished,
          eventsPerTransaction: measured.eventsPerTransaction,
          stateConflicts: measured.stateConflicts,
          chunkRetries: measured.chunkRetries,
          cacheHitShare: measured.cacheHitShare,
          load1AtStart: measured.load1AtStart,
          otherCores: measured.otherCores,
          flagged: flagOf(measured.otherCores),
        };
      }
      result.runs.push(run);
      log(
        `${label}: ${Math.round(run.eventsPerSec)}/s, ${run.consumerMicrosPerEvent.toFixed(1)} µs/event` +
          (run.redisMicrosPerEvent === null ? '' : ` + Redis ${run.redisMicrosPerEvent.toFixed(1)} µs`) +
          (run.alerts === null ? '' : `, ${run.alerts} alerts, ${run.deadLettered} dead letters`) +
          (run.eventsPerTransaction === null
            ? ''
            : `, ${Math.round(run.eventsPerTransaction)} events/transaction, ${run.stateConflicts} CAS conflicts`) +
          (run.cacheHitShare === null ? '' : `, cache hits ${percent(run.cacheHitShare)}`) +
          `, load ${run.load1AtStart.toFixed(2)}, other ${run.otherCores.toFixed(2)} cores${run.flagged ? ' FLAGGED' : ''}`,
      );
    }
  }
  result.summary = summarize(result.runs);
  for (const kind of ['before', 'new'] as const) {
    const measured = bytes[kind];
    if (!measured.length) continue;
    const typical = measured.map((b) => b.typical).sort((a, b) => a - b);
    const busiest = measured.reduce((a, b) => (b.busiest > a.busiest ? b : a));
    const grown = measured.map((b) => b.usedMemoryPerWallet).sort((a, b) => a - b);
    result.walletBytes[kind] = {
      usedMemoryPerWallet: grown[Math.floor((grown.length - 1) / 2)]!,
      typical: typical[Math.floor((typical.length - 1) / 2)]!,
      busiest: busiest.busiest,
      busiestWalletId: busiest.busiestWalletId,
      sampled: busiest.sampled,
    };
  }
}

async function latencyPhase(ctx: Context): Promise<void> {
  const { options, names, kafka, admin, redis, result } = ctx;
  const cases = options.latencyRates.flatMap((rate) => [
    ...(ctx.before && options.beforeLatencyRates.includes(rate)
      ? [{ rate, detector: 'before' as const }]
      : []),
    { rate, detector: 'new' as const },
  ]);
  for (const { rate, detector } of cases) {
    const run = names.detector(`l${detector}${rate}`);
    await createTopics(admin, [run.inputTopic], options.partitions);
    const load1AtStart = load1();
    const child = spawnDetector(detectorEnv(options, run, options.partitions), {
      root: detector === 'before' ? ctx.before!.root : undefined,
    });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    try {
      await waitForGroup(admin, run.groupId, 1, 120_000);
      await producer.connect();
      log(`latency: ${detector} at ${rate}/s for ${options.latencySeconds} s`);
      const traffic = new TrafficGenerator(
        {
          wallets: options.wallets,
          seed: options.seed + rate,
          eventIdPrefix: `bn${options.run}l${detector}${rate}`,
        },
        Date.now() - 2 * DAY,
      );
      const latency = await measureCommitLatency(admin, producer, {
        topic: run.inputTopic,
        groupId: run.groupId,
        partitions: options.partitions,
        rate,
        seconds: options.latencySeconds,
        traffic,
      });
      const { p50, p95, p99, max, events, committed, achievedRate } = latency;
      result.latency.push({
        detector,
        rate,
        seconds: options.latencySeconds,
        achievedRate,
        events,
        committed,
        p50,
        p95,
        p99,
        max,
        load1AtStart,
      });
      log(
        `  p50 ${Math.round(p50)} ms, p95 ${Math.round(p95)} ms, p99 ${Math.round(p99)} ms (${committed}/${events} committed)`,
      );
    } finally {
      await producer.disconnect();
      await child.stop();
      await deleteKeys(redis, run.keyPrefix);
    }
  }
}

async function scalingPhase(ctx: Context): Promise<void> {
  const { options, names, admin, result } = ctx;
  const topics = new Map<number, Backlog>();
  for (const c of options.scaling) {
    if (c.cluster && !options.redisClusterNodes) continue;
    let backlog = topics.get(c.partitions);
    if (!backlog) {
      const topic = names.topic(`scale${c.partitions}`);
      const endMs = lastUtcMidnight();
      const generate = () =>
        new BacklogGenerator(
          {
            wallets: options.scalingWallets,
            seed: options.seed + c.partitions,
            eventIdPrefix: `bn${options.run}s`,
          },
          options.scalingEvents,
          endMs,
          2 * DAY,
        );
      const events = (await produceBacklog(ctx, topic, c.partitions, generate())).events;
      backlog = { topic, events, generate };
      topics.set(c.partitions, backlog);
    }
    const redisKind = c.cluster ? 'cluster' : 'standalone';
    const run = names.detector(`s${c.partitions}x${c.instances}${c.cluster ? 'c' : ''}`);
    log(
      `scaling: ${c.partitions} partition(s) × ${c.instances} instance(s), ${redisKind} Redis, ${backlog.events} events`,
    );
    const cluster = c.cluster ? options.redisClusterNodes! : undefined;
    const input = await runInput(ctx, backlog, run.inputTopic, c.partitions, c.instances);
    const env = { ...detectorEnv(options, run, c.partitions, cluster), INPUT_TOPIC: input.topic };
    const measured = await measureDetectorRun(admin, {
      envFor: () => env,
      instances: c.instances,
      groupId: run.groupId,
      topic: input.topic,
      total: backlog.events,
      produceOnceJoined: input.produceOnceJoined,
      redisPids: c.cluster ? ctx.clusterPids : ctx.redisPid === null ? [] : [ctx.redisPid],
      kafkaPid: ctx.kafkaPid,
    });
    await deleteRunKeys(ctx, run.keyPrefix, c.cluster);
    await input.drop();
    result.scaling.push({
      partitions: c.partitions,
      instances: c.instances,
      redis: redisKind,
      events: backlog.events,
      measuredEvents: measured.measuredEvents,
      eventsPerSec: measured.eventsPerSec,
      detectorMicrosPerEvent: measured.detectorMicrosPerEvent,
      redisMicrosPerEvent: measured.redisMicrosPerEvent,
      kafkaMicrosPerEvent: measured.kafkaMicrosPerEvent,
      eventsPerTransaction: measured.eventsPerTransaction,
      stateConflicts: measured.stateConflicts,
      chunkRetries: measured.chunkRetries,
      cacheHitShare: measured.cacheHitShare,
      alertsPublished: measured.alertsPublished,
      load1AtStart: measured.load1AtStart,
      otherCores: measured.otherCores,
    });
    log(
      `  ${Math.round(measured.eventsPerSec)}/s, ${measured.detectorMicrosPerEvent.toFixed(1)} + Redis ${measured.redisMicrosPerEvent.toFixed(1)} µs/event, ` +
        `${Math.round(measured.eventsPerTransaction ?? NaN)} events/transaction, ${measured.stateConflicts} CAS conflicts` +
        (measured.cacheHitShare === null ? '' : `, cache hits ${percent(measured.cacheHitShare)}`),
    );
  }
}

/** The cluster's nodes each hold part of a prefix's keys: SCAN every one of them. */
async function deleteRunKeys(ctx: Context, prefix: string, cluster: boolean): Promise<number> {
  if (!cluster) return deleteKeys(ctx.redis, prefix);
  let deleted = 0;
  for (const node of ctx.options.redisClusterNodes ?? []) {
    const [host, port] = node.split(':');
    const client = new Redis({ host, port: Number(port), maxRetriesPerRequest: 3 });
    try {
      deleted += await deleteKeys(client, prefix).catch(() => 0);
    } finally {
      client.disconnect();
    }
  }
  return deleted;
}

async function clusterPids(nodes: string[] | null): Promise<number[]> {
  const pids: number[] = [];
  for (const node of nodes ?? []) {
    const [host, port] = node.split(':');
    const client = new Redis({ host, port: Number(port), maxRetriesPerRequest: 3, lazyConnect: true });
    try {
      await client.connect();
      const pid = await localRedisPid(client);
      if (pid !== null) pids.push(pid);
    } catch {
      // a node we cannot reach or read is left out of the CPU sum
    } finally {
      client.disconnect();
    }
  }
  return pids;
}

async function cleanup(ctx: Context): Promise<void> {
  const { names, admin } = ctx;
  const existing = new Set(await admin.listTopics());
  const topics = [...new Set(names.topics)].filter((t) => existing.has(t));
  if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 }).catch((e) => log(`topics: ${e}`));
  await admin.deleteGroups([...new Set(names.groups)]).catch(() => undefined);
  let keys = await deleteRunKeys(ctx, names.keyPrefix, false);
  if (ctx.options.redisClusterNodes) keys += await deleteRunKeys(ctx, names.keyPrefix, true);
  log(`cleaned up ${topics.length} topics and ${keys} Redis keys`);
}

function emptyResult(options: BenchOptions, before: RevisionCheckout | null): BenchResult {
  return {
    mode: options.mode,
    command: `npm run bench${options.mode === 'quick' ? ' -- --quick' : ''}`,
    revision: revision(),
    beforeRevision: before?.revision ?? null,
    endpoints: {
      kafkaBrokers: options.kafkaBrokers,
      redisUrl: options.redisUrl,
      redisClusterNodes: options.redisClusterNodes,
    },
    events: options.events,
    wallets: options.wallets,
    partitions: options.partitions,
    repeats: options.repeats,
    backlogProduceEventsPerSec: null,
    runs: [],
    summary: {},
    walletBytes: {},
    latency: [],
    scaling: [],
    quiet: { load1AtStart: load1(), busyProcessesAtStart: [] },
    machine: machine(),
    targets: TARGETS,
  };
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2), process.env, join(REPO_ROOT, 'docs', 'bench'));
  const names = new RunNames(options.run);
  const kafka = createBenchKafka(options.kafkaBrokers, `flowguard-bench-${options.run}`);
  const admin = kafka.admin();
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 3 });
  const before = options.before ? checkoutRevision(options.before, options.beforeRoot) : null;
  const result = emptyResult(options, before);
  log(
    `run ${options.run} (${options.mode}): NEW ${result.revision}, BEFORE ${result.beforeRevision ?? '—'}; ` +
      `Kafka ${options.kafkaBrokers.join(',')}, Redis ${options.redisUrl}`,
  );
  const ctx: Context = {
    options,
    names,
    kafka,
    admin,
    redis,
    redisPid: await localRedisPid(redis),
    clusterPids: await clusterPids(options.redisClusterNodes),
    kafkaPid: pidFromFile(join(REPO_ROOT, '.stack', 'kafka', 'kafka.pid')),
    before,
    result,
  };
  const stackPids = new Set([
    process.pid,
    process.ppid,
    ctx.kafkaPid ?? 0,
    ctx.redisPid ?? 0,
    ...ctx.clusterPids,
  ]);
  result.quiet.busyProcessesAtStart = await busiestProcesses(2_000, stackPids);
  log(
    `load average ${result.quiet.load1AtStart.toFixed(2)}; busy: ` +
      (result.quiet.busyProcessesAtStart.map((p) => `${p.command} ${p.cores.toFixed(2)}`).join('; ') ||
        'nothing'),
  );
  await admin.connect();
  // Ctrl-C still removes the run's topics, keys and checkout (child detectors are killed on exit).
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: cleaning up`);
    cleanup(ctx)
      .finally(() => before?.remove())
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (options.phases.has('throughput')) await throughputPhase(ctx);
    if (options.phases.has('latency')) await latencyPhase(ctx);
    if (options.phases.has('scaling')) await scalingPhase(ctx);
  } finally {
    await cleanup(ctx);
    await admin.disconnect();
    redis.disconnect();
    before?.remove();
  }
  console.log(`\n${renderSummary(result)}\n\n${renderPaired(result)}\n`);
  if (options.phases.size < PHASES.length) {
    // A partial run (--only) is for development; it does not replace the recorded results.
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  mkdirSync(options.outputDir, { recursive: true });
  writeFileSync(join(options.outputDir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(options.outputDir, 'latest.md'), renderMarkdown(result));
  log(`wrote ${join(options.outputDir, 'latest.json')} and latest.md`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
