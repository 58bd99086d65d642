// Drives the real detector over one scenario: starts it in-process on names unique to the run, produces
// the scenario's events (and its mentions, at their time in the stream), waits until the detector has
// consumed everything, and returns the alerts it published. The ONE place that knows how a detector is
// assembled: when its assembly changes, adapt `startDetector` and nothing else.
import { Cluster, Redis } from 'ioredis';
import { Kafka, Partitioners, logLevel, type Admin, type Producer } from 'kafkajs';
import { AlertSchema, type Alert } from '../../../schemas/alert.js';
import type { TransactionEventInput } from '../../../schemas/transaction-event.js';
import type { WalletMention } from '../../../schemas/wallet-mention.js';
import { loadConfig, readStackEnv } from '../../detector/src/config.js';
import { createDetector } from '../../detector/src/detector.js';
import { createLogger } from '../../detector/src/logger.js';
import { ensureTopic } from './event-producer.js';
import { messageKey } from './scenario-builder.js';

/** Topic, group and key names of one run; everything the run creates carries them and is removed. */
export interface RunNames {
  run: string;
  inputTopic: string;
  alertsTopic: string;
  deadLetterTopic: string;
  auditTopic: string;
  mentionsTopic: string;
  groupId: string;
  keyPrefix: string;
}

/** Where the detector under test runs, as its own configuration says: one Redis, standalone or Cluster. */
export interface DetectorEndpoints {
  brokers: string[];
  redis: { cluster: string[] } | { url: string };
}

/** What the harness needs of a detector. */
export interface DetectorUnderTest {
  endpoints: DetectorEndpoints;
  /** Starts consuming the input (and, if it can, the mentions) topic. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface HarnessInput {
  events: TransactionEventInput[];
  mentions: WalletMention[];
  /** Environment the detector's configuration is read from (endpoints); the run's names override it. */
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  partitions?: number;
  log?: (line: string) => void;
}

export interface HarnessResult {
  names: RunNames;
  alerts: Alert[];
  /** eventId → wall time (epoch ms) its batch was handed to Kafka. */
  producedAtMs: Map<string, number>;
  /** From the first event produced until the detector had consumed the last one. */
  elapsedMs: number;
  /** Whether the detector's group consumed the mentions topic to its end (false: nothing reads it). */
  mentionsConsumed: boolean;
  deadLetters: number;
  /** Published alerts that broke the alert contract (not scored). */
  invalidAlerts: number;
}

const QUIET_MS = 3_000;
const POLL_MS = 500;
const BATCH_SIZE = 500;

export function runNames(now = Date.now()): RunNames {
  const run = `${now.toString(36)}${process.pid.toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
  return {
    run,
    inputTopic: `eval-${run}.in`,
    alertsTopic: `eval-${run}.alerts`,
    deadLetterTopic: `eval-${run}.dlq`,
    auditTopic: `eval-${run}.audit`,
    mentionsTopic: `eval-${run}.mentions`,
    groupId: `eval-${run}`,
    keyPrefix: `ev${run}`,
  };
}

/** The detector's environment for a run: the caller's endpoints with the run's names. */
export function detectorEnv(names: RunNames, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...env,
    INPUT_TOPIC: names.inputTopic,
    ALERTS_TOPIC: names.alertsTopic,
    DEAD_LETTER_TOPIC: names.deadLetterTopic,
    AUDIT_TOPIC: names.auditTopic,
    MENTIONS_TOPIC: names.mentionsTopic,
    KAFKA_GROUP_ID: names.groupId,
    KAFKA_TRANSACTIONAL_ID_PREFIX: names.groupId,
    REDIS_KEY_PREFIX: names.keyPrefix,
    PORT: '0',
    LOG_LEVEL: 'warn',
  };
}

/** THE adaptation point: assembles the current detector in-process from an environment. */
export async function startDetector(env: NodeJS.ProcessEnv): Promise<DetectorUnderTest> {
  const config = loadConfig(env, readStackEnv());
  const detector = await createDetector(config, createLogger('warn'));
  // The detector takes the Cluster when both are configured (redis-connection.ts); so does the clean-up.
  const nodes = config.redis.clusterNodes ?? [];
  const endpoints: DetectorEndpoints = {
    brokers: config.kafka.brokers,
    redis: nodes.length ? { cluster: nodes } : { url: config.redis.url! },
  };
  return { endpoints, start: () => detector.start(), stop: () => detector.stop() };
}

/** One scenario through the detector, from fresh topics to removed keys. */
export async function runThroughDetector(input: HarnessInput): Promise<HarnessResult> {
  const log = input.log ?? ((line: string) => console.error(line));
  const names = runNames();
  const partitions = input.partitions ?? 3;
  const detector = await startDetector(detectorEnv(names, input.env));
  const kafka = new Kafka({
    clientId: names.groupId,
    brokers: detector.endpoints.brokers,
    logLevel: logLevel.WARN,
  });
  const admin = kafka.admin();
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const reader = kafka.consumer({ groupId: `${names.groupId}-reader`, maxWaitTimeInMs: 100 });
  const alerts: Alert[] = [];
  let invalidAlerts = 0;
  let lastAlertAtMs = 0;
  const producedAtMs = new Map<string, number>();
  try {
    await admin.connect();
    for (const topic of [names.inputTopic, names.alertsTopic, names.mentionsTopic]) {
      await ensureTopic(admin, topic, partitions);
    }
    await detector.start();
    await reader.connect();
    await reader.subscribe({ topic: names.alertsTopic, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const parsed = AlertSchema.safeParse(JSON.parse(message.value?.toString() ?? 'null'));
        if (parsed.success) alerts.push(parsed.data);
        else invalidAlerts += 1;
        lastAlertAtMs = Date.now();
      },
    });
    await producer.connect();
    const startedAtMs = Date.now();
    await produceInStreamOrder(producer, names, input.events, input.mentions, producedAtMs);
    log(
      `harness: produced ${input.events.length} events and ${input.mentions.length} mentions in ` +
        `${((Date.now() - startedAtMs) / 1000).toFixed(1)} s; waiting for the detector`,
    );
    const consumedAtMs = await waitUntilConsumed(admin, names, () => lastAlertAtMs, input.timeoutMs);
    const mentionsConsumed =
      input.mentions.length > 0 && (await lagOf(admin, names.groupId, names.mentionsTopic)) === 0n;
    const deadLetters = await endOffsetSum(admin, names.deadLetterTopic);
    return {
      names,
      alerts,
      producedAtMs,
      elapsedMs: consumedAtMs - startedAtMs,
      mentionsConsumed,
      deadLetters,
      invalidAlerts,
    };
  } finally {
    await reader.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await detector.stop().catch((error: unknown) => log(`harness: detector stop failed: ${String(error)}`));
    await cleanUp(admin, names, detector.endpoints, log);
    await admin.disconnect();
  }
}

/** Events in batches; each mention just before the first event at or after its seenAt. */
async function produceInStreamOrder(
  producer: Producer,
  names: RunNames,
  events: TransactionEventInput[],
  mentions: WalletMention[],
  producedAtMs: Map<string, number>,
): Promise<void> {
  const pending = [...mentions].sort((a, b) => Date.parse(a.seenAt) - Date.parse(b.seenAt));
  const sendMentions = async (upToMs: number) => {
    const due: WalletMention[] = [];
    while (pending.length && Date.parse(pending[0]!.seenAt) <= upToMs) due.push(pending.shift()!);
    if (!due.length) return;
    await producer.send({
      topic: names.mentionsTopic,
      acks: -1,
      messages: due.map((m) => ({ key: m.walletId, value: JSON.stringify(m) })),
    });
  };
  for (let from = 0; from < events.length; from += BATCH_SIZE) {
    const batch = events.slice(from, from + BATCH_SIZE);
    // A mention seen during this batch goes first, so it is never later than the events it precedes.
    await sendMentions(Math.max(...batch.map((e) => Date.parse(e.occurredAt))));
    const sentAtMs = Date.now();
    for (const e of batch) if (!producedAtMs.has(e.eventId)) producedAtMs.set(e.eventId, sentAtMs);
    await producer.send({
      topic: names.inputTopic,
      acks: -1,
      messages: batch.map((event) => ({ key: messageKey(event), value: JSON.stringify(event) })),
    });
  }
  await sendMentions(Number.POSITIVE_INFINITY);
}

/** Records of `topic` the group has not committed yet (every record when it committed nothing). */
async function lagOf(admin: Admin, groupId: string, topic: string): Promise<bigint> {
  const [ends, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const done = new Map(
    committed.flatMap((t) => t.partitions.map((p) => [p.partition, BigInt(Math.max(0, Number(p.offset)))])),
  );
  return ends.reduce((sum, p) => sum + (BigInt(p.high) - (done.get(p.partition) ?? 0n)), 0n);
}

async function endOffsetSum(admin: Admin, topic: string): Promise<number> {
  if (!(await admin.listTopics()).includes(topic)) return 0;
  const ends = await admin.fetchTopicOffsets(topic);
  return ends.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}

/**
 * Until the detector's group has committed every input offset and no alert came for QUIET_MS; returns
 * when it first caught up. The quiet period lets the last alerts of the last batch arrive.
 */
async function waitUntilConsumed(
  admin: Admin,
  names: RunNames,
  lastAlertAtMs: () => number,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let caughtUpSinceMs: number | undefined;
  for (;;) {
    const lag = await lagOf(admin, names.groupId, names.inputTopic);
    const now = Date.now();
    if (lag === 0n) caughtUpSinceMs ??= now;
    else caughtUpSinceMs = undefined;
    if (caughtUpSinceMs !== undefined && now - Math.max(caughtUpSinceMs, lastAlertAtMs()) >= QUIET_MS) {
      return caughtUpSinceMs;
    }
    if (now > deadline)
      throw new Error(`the detector did not catch up within ${timeoutMs / 1000} s (lag ${lag})`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Deletes the run's Redis keys, topics and consumer groups. */
async function cleanUp(
  admin: Admin,
  names: RunNames,
  endpoints: DetectorEndpoints,
  log: (line: string) => void,
): Promise<void> {
  const pattern = `${names.keyPrefix}:*`;
  try {
    log(`harness: removed ${await removeKeys(endpoints.redis, pattern)} Redis keys matching ${pattern}`);
  } catch (error) {
    log(`harness: could not remove Redis keys matching ${pattern}: ${String(error)}`);
  }
  const existing = new Set(await admin.listTopics().catch(() => [] as string[]));
  const topics = [
    names.inputTopic,
    names.alertsTopic,
    names.deadLetterTopic,
    names.auditTopic,
    names.mentionsTopic,
  ];
  await admin
    .deleteTopics({ topics: topics.filter((t) => existing.has(t)) })
    .catch((error: unknown) => log(`harness: could not delete the run topics: ${String(error)}`));
  await admin
    .deleteGroups([names.groupId, `${names.groupId}-reader`])
    .catch((error: unknown) => log(`harness: could not delete the run groups: ${String(error)}`));
}

/** Unlinks the keys matching `pattern` on every master; returns how many. */
export async function removeKeys(redisAt: DetectorEndpoints['redis'], pattern: string): Promise<number> {
  const redis =
    'cluster' in redisAt
      ? new Cluster(
          redisAt.cluster.map((node) => {
            const [host, port] = node.split(':');
            return { host: host!, port: Number(port) };
          }),
          { lazyConnect: true },
        )
      : new Redis(redisAt.url, { lazyConnect: true });
  try {
    await redis.connect();
    const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
    let removed = 0;
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        // One key at a time in a cluster, since keys of different wallets live in different slots.
        for (const key of keys) removed += await redis.unlink(key);
      } while (cursor !== '0');
    }
    return removed;
  } finally {
    redis.disconnect();
  }
}
