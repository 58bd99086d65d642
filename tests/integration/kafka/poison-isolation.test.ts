// One bad record never stalls its partition: after a few tries the failing chunk is bisected down to
// the record that fails alone, that record is dead-lettered (bounded, with its code), and every other
// record's output is published exactly once.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { DeadLetterSchema, type DeadLetter } from '../../../schemas/dead-letter.js';
import { FlowGuardError } from '../../../services/detector/src/errors.js';
import type { ChunkHandler } from '../../../services/detector/src/kafka/chunk-contract.js';
import { echo, kafkaFixture, metricValue, type KafkaFixture } from '../../support/kafka-runtime-fixture.js';

let fixture: KafkaFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function deadLetters(
  f: KafkaFixture,
): Promise<{ key: string | null; letter: DeadLetter; bytes: number }[]> {
  const records = await f.readAll(f.config.kafka.deadLetterTopic);
  return records.map((r) => ({
    key: r.key,
    letter: DeadLetterSchema.parse(JSON.parse(r.value!.toString())),
    bytes: r.value!.length,
  }));
}

describe('poison isolation', () => {
  it('dead-letters the one record a handler cannot apply, after its tries, and publishes the rest once', async () => {
    fixture = await kafkaFixture({ pipeline: { chunkSize: 100, maxAttempts: 2 } });
    const f = fixture;
    const out = f.config.kafka.alertsTopic;
    let triesOfPoison = 0;
    const handler: ChunkHandler = async (_ctx, records) => {
      if (records.some((r) => r.value?.toString() === 'poison')) {
        triesOfPoison += 1;
        throw new Error('cannot apply record');
      }
      return { records: records.map((r) => echo(out, r)) };
    };
    await f.send(
      Array.from({ length: 100 }, (_, i) => (i === 37 ? 'poison' : `v${i}`)),
      0,
    );
    const { metrics } = await f.startRuntime({ handler });
    await f.caughtUp();

    const letters = await deadLetters(f);
    expect(letters).toHaveLength(1);
    const [{ key, letter }] = letters as [(typeof letters)[number]];
    expect(key).toBe(`${f.config.kafka.inputTopic}/0/37`);
    expect(letter).toMatchObject({
      code: 'FG_PROCESSING_FAILED',
      reason: 'cannot apply record',
      source: { topic: f.config.kafka.inputTopic, partition: 0, offset: '37' },
      attempts: triesOfPoison,
      originalTruncated: false,
    });
    expect(triesOfPoison).toBeGreaterThan(2);
    expect(Buffer.from(letter.originalValueBase64!, 'base64').toString()).toBe('poison');

    const outputs = (await f.readAll(out)).map((o) => o.key);
    expect(outputs.sort()).toEqual(
      Array.from({ length: 100 }, (_, i) => `0/${i}`)
        .filter((k) => k !== '0/37')
        .sort(),
    );
    expect(await metricValue(metrics.deadLettered, { code: 'FG_PROCESSING_FAILED' })).toBe(1);
    expect(await metricValue(metrics.batchRetries, { reason: 'poison' })).toBeGreaterThanOrEqual(1);
  });

  it('dead-letters a 900 KB invalid value bounded (prefix, size, SHA-256) and processes the 60 records behind it', async () => {
    fixture = await kafkaFixture({ pipeline: { maxAttempts: 2 } });
    const f = fixture;
    const out = f.config.kafka.alertsTopic;
    const handler: ChunkHandler = async (_ctx, records) => ({
      records: records.map((r) => {
        try {
          JSON.parse(r.value!.toString());
        } catch (error) {
          throw new FlowGuardError('FG_EVENT_NOT_JSON', 'the message value is not JSON', { cause: error });
        }
        return echo(out, r);
      }),
    });
    const huge = Buffer.from(`{"amount": "${'9'.repeat(900_000)}`);
    await f.send([huge], 0);
    await f.send(
      Array.from({ length: 60 }, (_, i) => JSON.stringify({ donation: i })),
      0,
    );
    const { runtime, metrics } = await f.startRuntime({ handler });
    await f.caughtUp();

    const letters = await deadLetters(f);
    expect(letters).toHaveLength(1);
    const { letter, bytes } = letters[0]!;
    expect(letter).toMatchObject({
      code: 'FG_EVENT_NOT_JSON',
      reason: 'the message value is not JSON',
      source: { partition: 0, offset: '0' },
      originalTruncated: true,
      originalSize: huge.length,
      originalSha256: createHash('sha256').update(huge).digest('hex'),
    });
    expect(Buffer.from(letter.originalValueBase64!, 'base64')).toEqual(huge.subarray(0, 64 * 1024));
    expect(bytes).toBeLessThan(f.config.kafka.maxMessageBytes);

    const outputs = await f.readAll(out);
    expect(outputs.map((o) => o.key).sort()).toEqual(
      Array.from({ length: 60 }, (_, i) => `0/${i + 1}`).sort(),
    );
    expect(await metricValue(metrics.deadLettered, { code: 'FG_EVENT_NOT_JSON' })).toBe(1);
    expect((await runtime.readiness()).ready).toBe(true);
  });

  it('isolates an output the broker refuses to its input record; aborted writes stay invisible', async () => {
    fixture = await kafkaFixture({
      env: { KAFKA_MAX_MESSAGE_BYTES: '100000' },
      pipeline: { maxAttempts: 2 },
    });
    const f = fixture;
    const out = f.config.kafka.alertsTopic;
    // The record "huge" makes an output larger than the alerts topic accepts (max.message.bytes).
    const handler: ChunkHandler = async (_ctx, records) => ({
      records: records.map((r) =>
        r.value?.toString() === 'huge' ? { ...echo(out, r), value: 'h'.repeat(150_000) } : echo(out, r),
      ),
    });
    await f.send(
      Array.from({ length: 50 }, (_, i) => (i === 20 ? 'huge' : `v${i}`)),
      0,
    );
    const { metrics } = await f.startRuntime({ handler });
    await f.caughtUp();

    const letters = await deadLetters(f);
    expect(letters.map((l) => [l.letter.code, l.letter.source.offset])).toEqual([
      ['FG_PROCESSING_FAILED', '20'],
    ]);
    expect(letters[0]!.letter.reason).toMatch(/^publishing its outputs: .*larger than the max message size/);

    const committed = await f.readAll(out);
    const expected = Array.from({ length: 50 }, (_, i) => `0/${i}`).filter((k) => k !== '0/20');
    expect(committed.map((o) => o.key).sort()).toEqual(expected.sort());
    // The aborted attempts did write records before the refusal: only read_committed hides them.
    const everything = await f.readAll(out, { readUncommitted: true });
    expect(everything.length).toBeGreaterThan(committed.length);
    expect(await metricValue(metrics.kafkaTransactions, { result: 'aborted' })).toBeGreaterThanOrEqual(1);
  });

  it('sets a record aside without its bytes when the dead-letter topic refuses even the bounded copy', async () => {
    // An operator made the dead-letter topic stricter than FlowGuard was told (KAFKA_MAX_MESSAGE_BYTES).
    fixture = await kafkaFixture({
      pipeline: { maxAttempts: 1 },
      existingTopics: (k) => [
        {
          topic: k.deadLetterTopic,
          numPartitions: 1,
          configEntries: [{ name: 'max.message.bytes', value: '4000' }],
        },
      ],
    });
    const f = fixture;
    const out = f.config.kafka.alertsTopic;
    const bad = Buffer.from(`bad${'x'.repeat(20_000)}`);
    const handler: ChunkHandler = async (_ctx, records) => {
      if (records.some((r) => r.value!.subarray(0, 3).toString() === 'bad'))
        throw new Error('cannot apply record');
      return { records: records.map((r) => echo(out, r)) };
    };
    await f.send(['ok', bad, 'ok'], 0);
    const { metrics } = await f.startRuntime({ handler });
    await f.caughtUp();

    const letters = await deadLetters(f);
    expect(letters.map((l) => l.letter)).toEqual([
      expect.objectContaining({
        code: 'FG_PROCESSING_FAILED',
        source: expect.objectContaining({ offset: '1' }),
        originalValueBase64: null,
        originalTruncated: true,
        originalSize: bad.length,
        originalSha256: createHash('sha256').update(bad).digest('hex'),
      }),
    ]);
    expect((await f.readAll(out)).map((o) => o.key).sort()).toEqual(['0/0', '0/2']);
    expect(await metricValue(metrics.deadLettered, { code: 'FG_PROCESSING_FAILED' })).toBe(1);
  });
});
