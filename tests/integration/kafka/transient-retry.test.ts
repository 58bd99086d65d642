// A transient failure (Redis or the broker away) is retried with backoff and counted, never dead-
// lettered; while it lasts past STALL_AFTER the runtime is not ready and says why, and once it ends the
// partition catches up with every output published exactly once.
import { afterEach, describe, expect, it } from 'vitest';
import { FlowGuardError } from '../../../services/detector/src/errors.js';
import type { ChunkHandler } from '../../../services/detector/src/kafka/chunk-contract.js';
import {
  echo,
  eventually,
  kafkaFixture,
  metricValue,
  type KafkaFixture,
} from '../../support/kafka-runtime-fixture.js';

let fixture: KafkaFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe('transient failures', () => {
  it('retries with backoff, reports the stall while it lasts, and recovers without loss or duplicates', async () => {
    fixture = await kafkaFixture({
      pipeline: { chunkSize: 10, stallAfterMs: 1_000, retryMaxBackoffMs: 200 },
    });
    const f = fixture;
    const out = f.config.kafka.alertsTopic;
    let redisAway = true;
    let failures = 0;
    // Redis "goes away" when the chunk holding offset 25 is applied, and stays away until the test says.
    const handler: ChunkHandler = async (_ctx, records) => {
      if (redisAway && records.some((r) => r.offset === '25')) {
        failures += 1;
        throw new FlowGuardError('FG_REDIS_UNAVAILABLE', 'Redis is unreachable', { retryable: true });
      }
      return { records: records.map((r) => echo(out, r)) };
    };
    await f.send(
      Array.from({ length: 60 }, (_, i) => `v${i}`),
      0,
    );
    const { runtime, metrics } = await f.startRuntime({ handler });
    const labels = { topic: f.config.kafka.inputTopic, partition: '0' };

    const stalled = await eventually(async () => {
      const readiness = await runtime.readiness();
      return readiness.reasons.some((reason) => reason.includes('has not advanced')) && readiness;
    });
    expect(stalled.ready).toBe(false);
    expect(stalled.reasons).toEqual([
      expect.stringMatching(
        new RegExp(
          `^partition ${f.config.kafka.inputTopic}/0 has not advanced for \\d+ s: processing offsets 20..29: Redis is unreachable$`,
        ),
      ),
    ]);
    await eventually(async () => (await metricValue(metrics.partitionStalled, labels)) === 1);
    expect(await runtime.committedOffsets(f.config.kafka.inputTopic)).toEqual(new Map([[0, 20n]]));

    redisAway = false;
    await f.caughtUp();
    await eventually(async () => (await runtime.readiness()).ready);
    await eventually(async () => (await metricValue(metrics.partitionStalled, labels)) === 0);

    expect(failures).toBeGreaterThanOrEqual(3);
    expect(await metricValue(metrics.batchRetries, { reason: 'FG_REDIS_UNAVAILABLE' })).toBe(failures);
    const outputs = (await f.readAll(out)).map((o) => o.key);
    expect(outputs.sort()).toEqual(Array.from({ length: 60 }, (_, i) => `0/${i}`).sort());
    expect(await f.readAll(f.config.kafka.deadLetterTopic)).toEqual([]);
  });
});
