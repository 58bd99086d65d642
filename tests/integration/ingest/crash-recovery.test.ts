// A crash between deciding an alert and Kafka acknowledging it: the re-delivered batch changes no
// feature and publishes the same alert (same alertId) once, from the outbox.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertStore } from '../../../services/detector/src/alerts/alert-store.js';
import { loadConfig, type Config } from '../../../services/detector/src/config.js';
import { FeatureStore } from '../../../services/detector/src/features/feature-store.js';
import {
  processBatch,
  type BatchDependencies,
  type InputMessage,
} from '../../../services/detector/src/ingest/batch-processor.js';
import {
  createKafkaRuntime,
  type KafkaRuntime,
} from '../../../services/detector/src/ingest/kafka-runtime.js';
import { createMetrics } from '../../../services/detector/src/metrics.js';
import { CurrencyConverter } from '../../../services/detector/src/money.js';
import {
  createRedisClient,
  type RedisClient,
} from '../../../services/detector/src/redis/redis-connection.js';
import { loadRuleCatalog } from '../../../services/detector/src/rules/rule-catalog.js';
import { testKafka } from '../../support/clients.js';
import { campaign, HOUR } from '../../support/events.js';
import {
  deleteKeys,
  readTopic,
  settle,
  testEnv,
  waitFor,
  type TopicReader,
} from '../../support/test-detector.js';

describe('crash between alert decision and publish', () => {
  let config: Config;
  let redis: RedisClient;
  let runtime: KafkaRuntime;
  let reader: TopicReader;
  let deps: BatchDependencies;
  let failNextPublish = true;

  beforeAll(async () => {
    config = loadConfig(testEnv({ RULES_FILE: 'tests/fixtures/rules/fan-in-only.yaml' }), {});
    const logger = pino({ level: 'silent' });
    redis = createRedisClient(config.redis);
    runtime = await createKafkaRuntime(config, logger);
    reader = await readTopic(testKafka(), config.kafka.alertsTopic);
    const catalog = loadRuleCatalog(config.rulesFile, config.features.windows);
    deps = {
      config,
      features: new FeatureStore(redis, config.features, config.redis.keyPrefix),
      alerts: new AlertStore(redis, config.redis.keyPrefix, config.features, config.alertHistory),
      converter: new CurrencyConverter(config.features.baseCurrency, config.features.fxRates),
      catalog: () => catalog,
      // The real producer, with a crash injected in front of it once.
      publish: async (records) => {
        if (failNextPublish) {
          failNextPublish = false;
          throw new Error('process killed before the broker acknowledged');
        }
        await runtime.publish(records);
      },
      metrics: createMetrics(),
      logger,
      now: () => Date.now(),
    };
  });
  afterAll(async () => {
    await reader.close();
    await runtime.admin
      .deleteTopics({
        topics: [config.kafka.inputTopic, config.kafka.alertsTopic, config.kafka.deadLetterTopic],
      })
      .catch(() => undefined);
    await runtime.stop();
    await deleteKeys(redis as never, `${config.redis.keyPrefix}:*`);
    await redis.quit();
  });

  it('re-publishes the decided alert once, with the same id, when the batch is delivered again', async () => {
    const events = campaign('w-crash', Date.now() - 3 * HOUR, 40, 60_000);
    const messages: InputMessage[] = events.map((e, i) => ({
      topic: config.kafka.inputTopic,
      partition: 0,
      offset: String(i),
      key: Buffer.from('w-crash'),
      value: Buffer.from(JSON.stringify(e)),
    }));

    await expect(processBatch(deps, messages)).rejects.toThrow(/killed/);
    const outbox = await redis.hvals(`${config.redis.keyPrefix}:{w:w-crash}:outbox`);
    expect(outbox).toHaveLength(1);
    const decidedId = JSON.parse(outbox[0]!).alertId;
    const featuresBefore = await deps.features.read('w-crash');

    const again = await processBatch(deps, messages);
    expect(again.alerts.map((a) => a.alertId)).toEqual([decidedId]);
    const published = await waitFor(() => reader.records.length > 0 && reader.records);
    await settle(500);
    expect(published).toHaveLength(1);
    expect(JSON.parse(published[0]!.value).alertId).toBe(decidedId);
    const featuresAfter = await deps.features.read('w-crash');
    expect(featuresAfter!.windows).toEqual(featuresBefore!.windows);
    expect(featuresAfter!.lifetime).toEqual(featuresBefore!.lifetime);
    expect(await redis.hlen(`${config.redis.keyPrefix}:{w:w-crash}:outbox`)).toBe(0);

    const third = await processBatch(deps, messages);
    expect(third.alerts).toHaveLength(0);
  });
});
