// `npm run bench [-- --quick]`: FlowGuard's throughput, cost, latency and scaling on real Kafka and Redis,
// printed as a table and written to docs/bench/latest.json and latest.md. Cleans up its topics and keys.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Admin, Kafka } from 'kafkajs';
import { REPO_ROOT } from '../../../scripts/dev/local-stack-env.js';
import { measureLatency } from './alert-latency.js';
import { measureBaseline } from './baseline-consumer.js';
import { parseBenchOptions, PHASES, type BenchOptions } from './bench-options.js';
import {
  machine,
  revision,
  renderMarkdown,
  renderTable,
  resultRows,
  TARGETS,
  type BenchResult,
} from './bench-report.js';
import { detectorEnv, measureDetector, type DetectorRunNames } from './detector-throughput.js';
import { spawnDetector } from './detector-process.js';
import { BacklogGenerator, TrafficGenerator } from './event-generator.js';
import {
  createBenchKafka,
  createTopics,
  produceAll,
  topicMessageCount,
  waitForGroup,
} from './kafka-bench.js';
import { deleteKeys, localRedisPid, walletBytes } from './redis-probe.js';
import { measureScalingCase } from './scaling.js';

const DAY = 86_400_000;
const CHUNK = 5_000;

/** Every topic, group and key of the run is named here, so cleanup finds them all. */
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
    this.topics.push(names.inputTopic, names.alertsTopic, names.deadLetterTopic);
    this.groups.push(names.groupId, `${names.alertsTopic}-reader`);
    return names;
  }

  group(label: string): string {
    const id = `bn-${this.run}-${label}`;
    this.groups.push(id);
    return id;
  }
}

function log(message: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

async function produceBacklog(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  partitions: number,
  generator: BacklogGenerator,
) {
  await createTopics(admin, [topic], partitions);
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const produced = await produceAll(producer, topic, () => generator.nextChunk(CHUNK));
    const onTopic = await topicMessageCount(admin, topic);
    if (onTopic !== produced.events) throw new Error(`produced ${produced.events}, topic holds ${onTopic}`);
    return produced;
  } finally {
    await producer.disconnect();
  }
}

function sampleWalletIds(wallets: number, count: number): string[] {
  const step = Math.max(1, Math.floor(wallets / count));
  return Array.from({ length: Math.min(count, wallets) }, (_, i) => `w-${i * step}`);
}

function emptyResult(options: BenchOptions): BenchResult {
  return {
    mode: options.mode,
    command: `npm run bench${options.mode === 'quick' ? ' -- --quick' : ''}`,
    revision: revision(),
    endpoints: { kafkaBrokers: options.kafkaBrokers, redisUrl: options.redisUrl },
    events: options.events,
    wallets: options.wallets,
    partitions: options.partitions,
    backlogProduceEventsPerSec: null,
    eventsPerSec: null,
    eventsPerSecIncludingStartup: null,
    baselineEventsPerSec: null,
    ratioToBaseline: null,
    alerts: null,
    latencyMs: {},
    redisBytesPerWallet: null,
    detectorRssMb: null,
    redisCommandsPerEvent: null,
    redisCommandsSentPerEvent: null,
    redisScriptCallsPerEvent: null,
    redisRoundTripsPerEvent: null,
    redisTopCommandsPerEvent: null,
    cpuSecondsPer100k: null,
    scaling: [],
    scalingInstances:
      'each instance is a child process (`node --import tsx services/detector/src/server.ts`) in one consumer group; events/s from the first committed offset after the group is stable to the last',
    machine: machine(),
    targets: TARGETS,
  };
}

async function throughputPhase(
  options: BenchOptions,
  names: RunNames,
  kafka: Kafka,
  admin: Admin,
  redis: Redis,
  redisPid: number | null,
  result: BenchResult,
): Promise<void> {
  const run = names.detector('main');
  const generator = new BacklogGenerator(
    { wallets: options.wallets, seed: options.seed, eventIdPrefix: `bn${options.run}` },
    options.events,
    Date.now(),
    2 * DAY,
  );
  log(`producing ${options.events} events over ${options.wallets} wallets to ${run.inputTopic}`);
  const produced = await produceBacklog(kafka, admin, run.inputTopic, options.partitions, generator);
  result.backlogProduceEventsPerSec = produced.events / produced.seconds;
  log(`produced at ${Math.round(result.backlogProduceEventsPerSec)}/s; baseline consumer`);

  const baseline = await measureBaseline(
    kafka,
    run.inputTopic,
    names.group('baseline'),
    options.partitions,
    produced.events,
  );
  result.baselineEventsPerSec = baseline.eventsPerSec;
  log(`baseline ${Math.round(baseline.eventsPerSec)}/s; FlowGuard in-process`);

  const memoryBefore = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
  const env = detectorEnv(options, run, options.partitions);
  const detector = await measureDetector(env, admin, redis, redisPid, produced.events);
  const per = (value: number) => value / produced.events;
  result.eventsPerSec = detector.eventsPerSec;
  result.eventsPerSecIncludingStartup = produced.events / detector.wallSeconds;
  result.ratioToBaseline = detector.eventsPerSec / baseline.eventsPerSec;
  result.alerts = detector.alerts;
  const { commands, calls } = detector.redis;
  if (commands === null)
    log('Redis statistics were reset during the run; server-side command counts left out');
  result.redisCommandsPerEvent = commands === null ? null : per(commands);
  result.redisCommandsSentPerEvent = per(detector.pipelinedCommands);
  result.redisScriptCallsPerEvent = commands === null ? null : per((calls.evalsha ?? 0) + (calls.eval ?? 0));
  result.redisRoundTripsPerEvent = per(detector.pipelines);
  result.redisTopCommandsPerEvent = Object.fromEntries(
    Object.entries(calls)
      .slice(0, 12)
      .map(([name, count]) => [name, Math.round(per(count) * 100) / 100]),
  );
  result.cpuSecondsPer100k = {
    detector: (detector.processCpuSeconds / produced.events) * 100_000,
    redis:
      detector.redis.cpuSeconds === null ? null : (detector.redis.cpuSeconds / produced.events) * 100_000,
  };
  result.detectorRssMb = detector.peakRssBytes / 2 ** 20;
  result.wallets = generator.walletsTouched;
  const memoryAfter = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
  result.redisBytesPerWallet = {
    ...(await walletBytes(redis, run.keyPrefix, sampleWalletIds(options.wallets, 200))),
    usedMemoryDeltaPerWallet: (memoryAfter - memoryBefore) / generator.walletsTouched,
  };
  log(
    `FlowGuard ${Math.round(detector.eventsPerSec)}/s (${detector.batches} batches, ${detector.alerts} alerts, ${detector.deadLettered} dead letters)`,
  );
}

async function latencyPhase(
  options: BenchOptions,
  names: RunNames,
  kafka: Kafka,
  admin: Admin,
  result: BenchResult,
): Promise<void> {
  for (const rate of options.latencyRates) {
    const run = names.detector(`l${rate}`);
    // The detector creates the input, alerts and dead-letter topics itself.
    const detector = spawnDetector(detectorEnv(options, run, options.partitions));
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    try {
      await waitForGroup(admin, run.groupId, 1, 90_000);
      await producer.connect();
      log(`latency at ${rate}/s for ${options.latencySeconds} s`);
      const traffic = new TrafficGenerator(
        { wallets: options.wallets, seed: options.seed + rate, eventIdPrefix: `bn${options.run}l${rate}` },
        Date.now() - 2 * DAY,
      );
      const latency = await measureLatency(kafka, producer, {
        run: `${options.run}${rate}`,
        inputTopic: run.inputTopic,
        alertsTopic: run.alertsTopic,
        rate,
        seconds: options.latencySeconds,
        traffic,
      });
      const { p50, p95, p99, max, campaigns, alerted, achievedRate } = latency;
      result.latencyMs[String(rate)] = { p50, p95, p99, max, campaigns, alerted, achievedRate };
      log(
        `  p50 ${Math.round(p50)} ms, p99 ${Math.round(p99)} ms (${alerted}/${campaigns} campaigns alerted)`,
      );
    } finally {
      await producer.disconnect();
      await detector.stop();
    }
  }
}

async function scalingPhase(
  options: BenchOptions,
  names: RunNames,
  kafka: Kafka,
  admin: Admin,
  result: BenchResult,
): Promise<void> {
  const byPartitions = new Map<number, number[]>();
  for (const c of options.scaling)
    byPartitions.set(c.partitions, [...(byPartitions.get(c.partitions) ?? []), c.instances]);
  for (const [partitions, instanceCounts] of byPartitions) {
    const topic = `bn-${options.run}-scale${partitions}.in`;
    names.topics.push(topic);
    const generator = new BacklogGenerator(
      {
        wallets: options.scalingWallets,
        seed: options.seed + partitions,
        eventIdPrefix: `bn${options.run}s`,
      },
      options.scalingEvents,
      Date.now(),
      2 * DAY,
    );
    const produced = await produceBacklog(kafka, admin, topic, partitions, generator);
    for (const instances of instanceCounts) {
      const run = names.detector(`s${partitions}x${instances}`);
      log(`scaling: ${partitions} partition(s), ${instances} instance(s), ${produced.events} events`);
      const env = { ...detectorEnv(options, run, partitions), INPUT_TOPIC: topic };
      const scaled = await measureScalingCase(
        admin,
        () => env,
        run.groupId,
        topic,
        partitions,
        instances,
        produced.events,
      );
      result.scaling.push(scaled);
      log(`  ${Math.round(scaled.eventsPerSec)}/s`);
    }
  }
}

async function cleanup(names: RunNames, admin: Admin, redis: Redis): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const topics = [...new Set(names.topics)].filter((t) => existing.has(t));
  if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 }).catch((e) => log(`topics: ${e}`));
  await admin.deleteGroups([...new Set(names.groups)]).catch(() => undefined);
  const keys = await deleteKeys(redis, names.keyPrefix);
  log(`cleaned up ${topics.length} topics and ${keys} Redis keys`);
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2), process.env, join(REPO_ROOT, 'docs', 'bench'));
  const names = new RunNames(options.run);
  const kafka = createBenchKafka(options.kafkaBrokers, `flowguard-bench-${options.run}`);
  const admin = kafka.admin();
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 3 });
  const result = emptyResult(options);
  log(
    `run ${options.run} (${options.mode}): Kafka ${options.kafkaBrokers.join(',')}, Redis ${options.redisUrl}`,
  );
  await admin.connect();
  // Ctrl-C still removes the run's topics and keys (child detectors are killed on exit).
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: cleaning up`);
    cleanup(names, admin, redis).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const redisPid = await localRedisPid(redis);
    if (options.phases.has('throughput'))
      await throughputPhase(options, names, kafka, admin, redis, redisPid, result);
    if (options.phases.has('latency')) await latencyPhase(options, names, kafka, admin, result);
    if (options.phases.has('scaling')) await scalingPhase(options, names, kafka, admin, result);
  } finally {
    await cleanup(names, admin, redis);
    await admin.disconnect();
    redis.disconnect();
  }
  console.log(`\n${renderTable(resultRows(result), false)}\n`);
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
