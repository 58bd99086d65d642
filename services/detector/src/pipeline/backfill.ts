// Warm start: replays retained history into the wallet state before live consumption begins, so a
// first deployment judges wallets against their own past on day one, and a wiped Redis is rebuilt.
// The input topic is replayed from a time (and the audit and mentions topics from their start) by a
// consumer group of its own through the same pipeline — same watermarks, same stream keys — and the
// live group's offsets are then set where the replay stopped: no gap, nothing counted twice. NDJSON
// history files are applied directly, each file its own stream (a second run of a file is a no-op).
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { FlowGuardError } from '../errors.js';
import type { ChunkContext, SourceRecord } from '../kafka/consumer-runtime.js';
import { runAndWrite } from './chunk-handler.js';
import { settleChunk } from './chunk-writer.js';
import { createConsumingPipeline } from './consuming-pipeline.js';
import { runTransactionChunk } from './transaction-chunk.js';

export interface BackfillOptions {
  /** Replay the input topic from this event time (epoch ms); null: no topic replay. */
  fromMs: number | null;
  /** NDJSON files of history (one transaction event per line), applied before the topic. */
  files: string[];
  /** "mark": alerts found in history are published with origin "backfill"; "hold": none are decided. */
  alerts: 'mark' | 'hold';
  /** Start a new state epoch: the Redis the committed offsets were made against is gone. */
  reset: boolean;
  /** A progress line every few seconds. */
  progress: (line: string) => void;
}

export interface BackfillReport {
  filesApplied: { file: string; lines: number; rejected: number }[];
  topics: { topic: string; partitions: { partition: number; from: string; to: string }[] }[];
  alertsPublished: number;
  seconds: number;
}

const POLL_MS = 1_000;
/** A partition one short of its end is done once it stops moving: the last offset is a commit marker. */
const SETTLED_MS = 4_000;

export async function backfill(
  config: Config,
  logger: Logger,
  options: BackfillOptions,
): Promise<BackfillReport> {
  const startedAt = Date.now();
  const liveGroup = config.kafka.groupId;
  const runGroup = `${liveGroup}.backfill.${Date.now().toString(36)}`;
  const runConfig: Config = {
    ...config,
    kafka: { ...config.kafka, groupId: runGroup, transactionalIdPrefix: runGroup },
  };
  const pipeline = await createConsumingPipeline(runConfig, logger, {
    origin: 'backfill',
    alerts: options.alerts === 'hold' ? 'hold' : 'publish',
  });
  const admin = pipeline.kafka.admin();
  await admin.connect();
  const report: BackfillReport = { filesApplied: [], topics: [], alertsPublished: 0, seconds: 0 };
  try {
    await refuseWhileLive(admin, liveGroup);
    // The replay commits offsets for its own group: the state it builds needs an epoch first (a new
    // one with --reset; the live group's offsets are replaced at the hand-over).
    const epochKey = `${config.redis.keyPrefix}:{stream}`;
    const epoch = randomBytes(8).toString('hex');
    if (options.reset) {
      await pipeline.redis.hset(epochKey, 'epoch', epoch);
      options.progress('started a new state epoch');
    } else if (await pipeline.redis.hsetnx(epochKey, 'epoch', epoch)) {
      options.progress('no state epoch yet: started one');
    }

    for (const file of options.files) report.filesApplied.push(await applyFile(pipeline, file, options));

    if (options.fromMs !== null) {
      const k = config.kafka;
      const plan = [
        { topic: k.inputTopic, from: await offsetsAt(admin, k.inputTopic, options.fromMs) },
        { topic: k.auditTopic, from: await lowOffsets(admin, k.auditTopic) },
        { topic: k.mentionsTopic, from: await lowOffsets(admin, k.mentionsTopic) },
      ];
      const ends = new Map<string, Map<number, bigint>>();
      for (const { topic, from } of plan) {
        const high = new Map(
          (await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)] as const),
        );
        ends.set(topic, high);
        report.topics.push({
          topic,
          partitions: [...from].map(([partition, offset]) => ({
            partition,
            from: String(offset),
            to: String(high.get(partition) ?? 0n),
          })),
        });
      }
      await commitGroupOffsets(
        pipeline.kafka,
        runGroup,
        plan.map(({ topic, from }) => ({ topic, offsets: from })),
      );
      await pipeline.runtime.start();
      try {
        await waitUntilReplayed(admin, runGroup, ends, plan, options.progress);
      } finally {
        await pipeline.runtime.stop();
      }
      // Hand over: the live group starts exactly where the replay stopped.
      const handover: { topic: string; offsets: Map<number, bigint> }[] = [];
      for (const topic of ends.keys()) {
        const [reached] = await admin.fetchOffsets({ groupId: runGroup, topics: [topic] });
        const offsets = new Map(
          reached!.partitions
            .filter((p) => BigInt(p.offset) >= 0n)
            .map((p) => [p.partition, BigInt(p.offset)] as const),
        );
        if (offsets.size) handover.push({ topic, offsets });
      }
      await commitGroupOffsets(pipeline.kafka, liveGroup, handover);
      await admin.deleteGroups([runGroup]).catch(() => undefined);
    }
    report.alertsPublished = (await pipeline.metrics.alertsPublished.get()).values.reduce(
      (s, v) => s + v.value,
      0,
    );
    report.seconds = Math.round((Date.now() - startedAt) / 100) / 10;
    return report;
  } finally {
    await admin.disconnect();
    await pipeline.redis.quit().catch(() => pipeline.redis.disconnect());
  }
}

/**
 * Commits a group's offsets in one Kafka transaction (no group membership needed, unlike kafkajs's
 * admin.setOffsets, which joins the group once per topic: seconds each).
 */
async function commitGroupOffsets(
  kafka: Kafka,
  groupId: string,
  topics: { topic: string; offsets: Map<number, bigint> }[],
): Promise<void> {
  if (!topics.length) return;
  const producer = kafka.producer({ transactionalId: `${groupId}.offsets`, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const transaction = await producer.transaction();
    try {
      await transaction.sendOffsets({
        consumerGroupId: groupId,
        topics: topics.map(({ topic, offsets }) => ({
          topic,
          partitions: [...offsets].map(([partition, offset]) => ({ partition, offset: String(offset) })),
        })),
      });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  } finally {
    await producer.disconnect();
  }
}

/** The live detectors must be stopped: two consumers of one state would race the hand-over. */
async function refuseWhileLive(admin: Admin, groupId: string): Promise<void> {
  const { groups } = await admin.describeGroups([groupId]);
  const members = groups[0]?.members.length ?? 0;
  if (members > 0) {
    throw new FlowGuardError(
      'FG_BACKFILL_REFUSED',
      `consumer group ${groupId} has ${members} live member(s): stop the detectors before a backfill, start them after it`,
    );
  }
}

async function offsetsAt(admin: Admin, topic: string, fromMs: number): Promise<Map<number, bigint>> {
  const found = await admin.fetchTopicOffsetsByTimestamp(topic, fromMs);
  const high = new Map(
    (await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)] as const),
  );
  // -1: no record at or after the time; start at the end (nothing to replay there).
  return new Map(
    found.map((p) => [p.partition, BigInt(p.offset) < 0n ? (high.get(p.partition) ?? 0n) : BigInt(p.offset)]),
  );
}

async function lowOffsets(admin: Admin, topic: string): Promise<Map<number, bigint>> {
  return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.low)] as const));
}

async function waitUntilReplayed(
  admin: Admin,
  groupId: string,
  ends: Map<string, Map<number, bigint>>,
  plan: { topic: string; from: Map<number, bigint> }[],
  progress: (line: string) => void,
): Promise<void> {
  const moved = new Map<string, { offset: bigint; atMs: number }>();
  let lastLine = 0;
  for (;;) {
    let total = 0n;
    let done = 0n;
    let finished = true;
    for (const { topic, from } of plan) {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      for (const [partition, end] of ends.get(topic)!) {
        const start = from.get(partition) ?? 0n;
        const at = BigInt(committed!.partitions.find((p) => p.partition === partition)?.offset ?? '-1');
        const reached = at < start ? start : at;
        total += end - start;
        done += (reached > end ? end : reached) - start;
        const id = `${topic}/${partition}`;
        const last = moved.get(id);
        if (!last || last.offset !== reached) moved.set(id, { offset: reached, atMs: Date.now() });
        const still = Date.now() - moved.get(id)!.atMs;
        const complete = reached >= end || (reached >= end - 1n && still >= SETTLED_MS) || end === start;
        finished &&= complete;
      }
    }
    if (Date.now() - lastLine >= 5_000 || finished) {
      lastLine = Date.now();
      const share = total === 0n ? 100 : Number((done * 1000n) / total) / 10;
      progress(`replayed ${done} of ${total} records (${share}%)`);
    }
    if (finished) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Applies an NDJSON history file directly (no Kafka): its own stream, so a second run changes nothing. */
async function applyFile(
  pipeline: Awaited<ReturnType<typeof createConsumingPipeline>>,
  file: string,
  options: BackfillOptions,
): Promise<{ file: string; lines: number; rejected: number }> {
  const { deps } = pipeline;
  const text = readFileSync(file);
  const topic = `file-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
  const lines = text
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim());
  const gate = await deps.streams.open({
    topic,
    partition: 0,
    committedOffset: null,
    committedMetadata: null,
    highWatermark: BigInt(lines.length),
    lowWatermark: 0n,
  });
  if (!gate.ok) throw new FlowGuardError('FG_BACKFILL_REFUSED', gate.reason);
  const producer = pipeline.kafka.producer({ allowAutoTopicCreation: false, idempotent: true });
  await producer.connect();
  let rejected = 0;
  try {
    const { chunkSize } = deps.config.pipeline;
    for (let start = 0; start < lines.length; start += chunkSize) {
      const nowMs = deps.now();
      const records: SourceRecord[] = lines.slice(start, start + chunkSize).map((line, i) => ({
        topic,
        partition: 0,
        offset: String(start + i),
        timestampMs: nowMs,
        key: null,
        value: Buffer.from(line),
      }));
      const ctx: ChunkContext = {
        topic,
        partition: 0,
        streamKey: gate.streamKey,
        committedOffset: null,
        attempt: 1,
        signal: new AbortController().signal,
      };
      const work = await runAndWrite(deps, ctx, records, runTransactionChunk);
      const outputs = work.output.records();
      const alerts = outputs.filter((r) => r.topic === deps.config.kafka.alertsTopic);
      rejected += outputs.filter((r) => r.topic === deps.config.kafka.deadLetterTopic).length;
      if (alerts.length) {
        await producer.send({
          topic: deps.config.kafka.alertsTopic,
          acks: -1,
          messages: alerts.map((r) => ({ key: r.key, value: r.value })),
        });
        deps.metrics.alertsPublished.inc(alerts.length);
      }
      await settleChunk(deps, work);
      options.progress(`${file}: ${Math.min(lines.length, start + chunkSize)} of ${lines.length} lines`);
    }
  } finally {
    await producer.disconnect();
  }
  return { file, lines: lines.length, rejected };
}
