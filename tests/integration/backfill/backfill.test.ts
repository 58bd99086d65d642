// Warm start on the real stack: `flowguard backfill` builds the wallet state from retained history,
// publishes what it finds there marked as backfill, and hands over to the live detector with no gap
// and nothing counted twice; it refuses while detectors are live; an NDJSON history file applied
// twice changes nothing the second time.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertSchema, type Alert } from '../../../schemas/alert.js';
import type { TransactionEventInput } from '../../../schemas/transaction-event.js';
import { loadConfig, type Config } from '../../../services/detector/src/config/index.js';
import { createDetector, type Detector } from '../../../services/detector/src/detector.js';
import { createLogger } from '../../../services/detector/src/logger.js';
import { backfill, type BackfillReport } from '../../../services/detector/src/pipeline/backfill.js';
import { WalletStateStore } from '../../../services/detector/src/state/wallet-state-store.js';
import { testKafka, testRedis } from '../../support/clients.js';
import { campaign, deposit, HOUR, MINUTE } from '../../support/events.js';
import { deleteKeys, readTopic, testEnv, type TopicReader } from '../../support/test-detector.js';
import { createTopicsAndWait } from '../../../services/detector/src/kafka/topics.js';

const DAY = 24 * HOUR;
const quiet = createLogger('silent');

describe('flowguard backfill', () => {
  const env = testEnv({ RULES_FILE: 'tests/fixtures/rules/fan-in-only.yaml' });
  const config: Config = loadConfig(env);
  const kafka = testKafka();
  const admin = kafka.admin();
  const redis = testRedis();
  const store = new WalletStateStore(redis, config.redis.keyPrefix, config.features);
  let producer: Producer;
  let alerts: TopicReader;
  let detector: Detector | undefined;
  const now = Date.now();
  // Three days of a regular's history, and a campaign two days ago: all before the detector runs.
  const regular = Array.from({ length: 72 }, (_, i) =>
    deposit('w-regular', now - 3 * DAY + i * HOUR, { fromRef: `card-${i % 4}` }),
  );
  const pastCampaign = campaign('w-past-campaign', now - 2 * DAY, 40, MINUTE);

  async function send(events: TransactionEventInput[]) {
    await producer.send({
      topic: config.kafka.inputTopic,
      acks: -1,
      messages: events.map((e) => ({ key: e.toWalletId ?? 'none', value: JSON.stringify(e) })),
    });
  }

  beforeAll(async () => {
    await admin.connect();
    await createTopicsAndWait(
      admin,
      [config.kafka.inputTopic, config.kafka.alertsTopic].map((topic) => ({ topic, numPartitions: 2 })),
    );
    producer = kafka.producer();
    await producer.connect();
    alerts = await readTopic(kafka, config.kafka.alertsTopic);
    await send([...regular, ...pastCampaign]);
  });

  afterAll(async () => {
    await detector?.stop().catch(() => undefined);
    await alerts?.close();
    await producer?.disconnect();
    const k = config.kafka;
    await admin
      .deleteTopics({
        topics: [k.inputTopic, k.alertsTopic, k.deadLetterTopic, k.auditTopic, k.mentionsTopic],
      })
      .catch(() => undefined);
    await admin.disconnect();
    await deleteKeys(redis, `${config.redis.keyPrefix}:*`);
    redis.disconnect();
  });

  let report: BackfillReport;

  it('replays the retained input into the state and marks what it alerts as backfill', async () => {
    report = await backfill(config, quiet, {
      fromMs: now - 4 * DAY,
      files: [],
      alerts: 'mark',
      reset: false,
      progress: () => undefined,
    });
    const regularState = await store.read('w-regular');
    expect(regularState?.lifetime.inCount).toBe(72);
    const input = report.topics.find((t) => t.topic === config.kafka.inputTopic)!;
    expect(input.partitions.reduce((sum, p) => sum + Number(p.to) - Number(p.from), 0)).toBe(112);
    // The live group will start where the replay stopped: at the end of what was there.
    const [live] = await admin.fetchOffsets({
      groupId: config.kafka.groupId,
      topics: [config.kafka.inputTopic],
    });
    expect(live!.partitions.reduce((sum, p) => sum + Number(p.offset), 0)).toBe(112);
    const found = await waitForAlerts(alerts, (list) => list.some((a) => a.walletId === 'w-past-campaign'));
    const historic = found.filter((a) => a.walletId === 'w-past-campaign');
    expect(historic).toHaveLength(1);
    expect(historic[0]!.origin).toBe('backfill');
  });

  it('refuses while a detector of the group is live', async () => {
    detector = await createDetector(config, quiet);
    await detector.start();
    await expect(
      backfill(config, quiet, {
        fromMs: now - DAY,
        files: [],
        alerts: 'hold',
        reset: false,
        progress: () => undefined,
      }),
    ).rejects.toMatchObject({ code: 'FG_BACKFILL_REFUSED' });
  });

  it('hands over to the live detector without a gap or a double count', async () => {
    await send([deposit('w-regular', now - 10 * MINUTE, { fromRef: 'card-new' })]);
    await waitUntil(async () => (await store.read('w-regular'))?.lifetime.inCount === 73);
    // Nothing the backfill applied was applied again, and the historic campaign was not alerted twice.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await store.read('w-regular'))?.lifetime.inCount).toBe(73);
    expect((await store.read('w-past-campaign'))?.lifetime.inCount).toBe(40);
    expect(
      alerts.records.map((r) => JSON.parse(r.value) as Alert).filter((a) => a.walletId === 'w-past-campaign'),
    ).toHaveLength(1);
  });

  it('applies an NDJSON history file once, however often it is given', async () => {
    await detector?.stop();
    detector = undefined;
    const file = join(mkdtempSync(join(tmpdir(), 'fg-history-')), 'history.ndjson');
    const history = Array.from({ length: 30 }, (_, i) =>
      deposit('w-from-file', now - 5 * DAY + i * HOUR, { fromRef: `card-f${i % 3}` }),
    );
    writeFileSync(file, history.map((e) => JSON.stringify(e)).join('\n') + '\n{broken\n');
    const first = await backfill(config, quiet, {
      fromMs: null,
      files: [file],
      alerts: 'hold',
      reset: false,
      progress: () => undefined,
    });
    expect(first.filesApplied[0]).toMatchObject({ lines: 31, rejected: 1 });
    await backfill(config, quiet, {
      fromMs: null,
      files: [file],
      alerts: 'hold',
      reset: false,
      progress: () => undefined,
    });
    expect((await store.read('w-from-file'))?.lifetime.inCount).toBe(30);
  });
});

async function waitForAlerts(
  reader: TopicReader,
  done: (alerts: Alert[]) => boolean,
  timeoutMs = 20_000,
): Promise<Alert[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = reader.records.map((r) => AlertSchema.parse(JSON.parse(r.value)));
    if (done(list)) return list;
    if (Date.now() > deadline) throw new Error('alerts did not arrive in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
